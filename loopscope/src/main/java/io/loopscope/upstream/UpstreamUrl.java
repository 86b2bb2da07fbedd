package io.loopscope.upstream;

import java.net.URI;

/** Where the upstream lives, from upstream.baseUrl. */
public record UpstreamUrl(String host, int port, boolean ssl, String pathPrefix) {

  public static UpstreamUrl parse(String baseUrl) {
    URI uri = URI.create(baseUrl);
    boolean ssl = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String prefix = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return new UpstreamUrl(uri.getHost(), port, ssl, prefix);
  }

  public String postUri(int id, Integer ms, boolean fail) {
    StringBuilder uri = new StringBuilder(pathPrefix).append("/posts/").append(id);
    char sep = '?';
    if (ms != null) {
      uri.append(sep).append("ms=").append(ms);
      sep = '&';
    }
    if (fail) {
      uri.append(sep).append("fail=true");
    }
    return uri.toString();
  }

  public URI baseUri() {
    return URI.create((ssl ? "https" : "http") + "://" + host + ":" + port);
  }
}
