package io.loopscope.bench;

import java.time.Duration;
import java.util.List;

/**
 * The article's table: its endpoints, each asked to take {@code latencyMs} ({@code ?ms=}; a server
 * that ignores the parameter, like the article's FastAPI app, sleeps its own 100 ms).
 */
public record ArticleSuite(String baseUrl, int latencyMs) {

  public static final String NAME = "article";
  public static final List<String> PATHS =
    List.of("/test/sync", "/test/sync?ordered=true", "/test/async", "/bad-example", "/good-example");

  public ArticleSuite {
    baseUrl = baseUrl.replaceAll("/+$", "");
  }

  /** One target per endpoint, labelled with the article's path. */
  public List<Endpoint> targets() {
    return PATHS.stream()
      .map(path -> Endpoint.parse(baseUrl + path + (path.contains("?") ? "&" : "?") + "ms=" + latencyMs).withLabel(path))
      .toList();
  }

  /** The best any server can do: {@code requests / concurrency} rounds of {@code latencyMs} each (0.1 s for 100 x 100 ms over 100). */
  public Duration physicalLimit(LoadSettings settings) {
    long rounds = (settings.requests() + settings.concurrency() - 1) / settings.concurrency();
    return Duration.ofMillis(rounds * latencyMs);
  }

  /** How many times the physical limit a run took. */
  public double limitRatio(EndpointResult result, LoadSettings settings) {
    long limitNanos = physicalLimit(settings).toNanos();
    return limitNanos == 0 ? 0 : (double) result.elapsedNanos() / limitNanos;
  }
}
