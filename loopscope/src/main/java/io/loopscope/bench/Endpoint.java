package io.loopscope.bench;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * One URL to load: where to connect and what to ask for. {@code label} is what reports call it:
 * the path and query when every target shares one server, else the whole URL.
 */
public record Endpoint(String label, String url, String host, int port, boolean ssl, String requestUri) {

  /** Parses an absolute http(s) URL; anything else is an {@link IllegalArgumentException} naming the URL. */
  public static Endpoint parse(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + url + "' is not a URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("'" + url + "' is not an http:// or https:// URL");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("'" + url + "' needs a host, and no user info or fragment");
    }
    boolean ssl = scheme.equals("https");
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String requestUri = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    String host = uri.getHost().replaceAll("^\\[|]$", "");
    return new Endpoint(requestUri, uri.toString(), host, port, ssl, requestUri);
  }

  /** {@code http://host:port}, what a connection goes to. */
  public String origin() {
    return (ssl ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  public Endpoint withLabel(String newLabel) {
    return new Endpoint(newLabel, url, host, port, ssl, requestUri);
  }

  /** Short labels (path and query) when all targets share one origin, whole URLs otherwise. */
  public static List<Endpoint> labelled(List<Endpoint> targets) {
    boolean oneOrigin = targets.stream().map(Endpoint::origin).distinct().count() <= 1;
    return targets.stream().map(t -> t.withLabel(oneOrigin ? t.requestUri() : t.url())).toList();
  }
}
