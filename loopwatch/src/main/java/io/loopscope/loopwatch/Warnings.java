package io.loopscope.loopwatch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * LoopWatch's lints, in the spirit of tokio-console's: each warning is one episode of one condition on one
 * subject (a pool, a route), raised once (one WARN line), seen again as often as the condition holds
 * ({@code count}, {@code lastSeen}, the latest figures), and cleared once the condition has been gone for
 * {@value #CLEAR_AFTER_SECONDS} s.
 */
final class Warnings {

  static final String POOL_SATURATED = "pool-saturated";
  static final String BUSY_ROUTE = "busy-route";
  static final String ORDERED_SERIALISED = "ordered-serialised";
  static final String REPEATED_STALL = "repeated-stall";
  static final long CLEAR_AFTER_SECONDS = 60;
  private static final Logger LOG = LoggerFactory.getLogger(Warnings.class);

  private static final class Warning {
    final String kind;
    final String subject;
    final Instant since = Instant.now();
    final long sinceNanos = System.nanoTime();
    Instant lastSeen = since;
    long lastSeenNanos = sinceNanos;
    long count;
    JsonObject figures;

    Warning(String kind, String subject) {
      this.kind = kind;
      this.subject = subject;
    }

    JsonObject toJson() {
      return figures.copy().put("kind", kind).put("since", since.toString()).put("lastSeen", lastSeen.toString())
        .put("count", count);
    }
  }

  private final Map<String, Warning> current = new LinkedHashMap<>();
  private final Consumer<JsonObject> raised;

  /** @param raised told of each new warning (metrics, the stream), on the raising thread */
  Warnings(Consumer<JsonObject> raised) {
    this.raised = raised;
  }

  /**
   * The condition {@code kind} holds for {@code subject} now, with these figures (which must name the subject).
   * A new episode is logged and announced (true); a running one is counted and updated (false).
   */
  boolean seen(String kind, String subject, JsonObject figures, String logLine) {
    Warning warning;
    boolean fresh;
    synchronized (this) {
      String key = kind + " " + subject;
      warning = current.get(key);
      fresh = warning == null;
      if (fresh) {
        warning = new Warning(kind, subject);
        current.put(key, warning);
      }
      warning.count++;
      warning.lastSeen = Instant.now();
      warning.lastSeenNanos = System.nanoTime();
      warning.figures = figures;
    }
    if (fresh) {
      LOG.atWarn().addKeyValue("warning", kind).log("{} (warning {} at /diagnostics/warnings)", logLine, kind);
      raised.accept(figures.copy().put("kind", kind));
    }
    return fresh;
  }

  /** On the watchdog: warnings whose condition has been gone for a minute are cleared. */
  synchronized void expire() {
    long now = System.nanoTime();
    current.values().removeIf(warning -> now - warning.lastSeenNanos > TimeUnit.SECONDS.toNanos(CLEAR_AFTER_SECONDS));
  }

  synchronized void reset() {
    current.clear();
  }

  /** The current warnings, the most recently seen first. */
  synchronized JsonArray toJson() {
    List<Warning> all = new ArrayList<>(current.values());
    all.sort(Comparator.comparingLong((Warning warning) -> warning.lastSeenNanos).reversed());
    JsonArray json = new JsonArray();
    all.forEach(warning -> json.add(warning.toJson()));
    return json;
  }
}
