package io.loopscope.bench;

import io.loopscope.diagnostics.LoopWatchSettings;
import io.vertx.core.Future;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** LoopWatch's blocked-thread reports ({@code GET /diagnostics/blocked} on the admin port), as the demo shows them. */
public final class BlockedThreads {

  public static final String PATH = LoopWatchSettings.REPORTS_PATH;
  private static final List<String> FIELDS =
    List.of("id", "thread", "loop", "pool", "route", "culprit", "victims", "startedAt", "detectedAfterMs", "durationMs",
      "ongoing", "stack");
  public static final String ROUTES_PATH = "/diagnostics/routes?window=all";
  private static final int FRAMES_SHOWN = 8;

  private BlockedThreads() {
  }

  /** The reports, newest first; empty when the admin server has no LoopWatch (404). */
  public static Future<Optional<JsonArray>> fetch(WebClient admin) {
    return admin.get(PATH).timeout(5_000).send()
      .expecting(HttpResponseExpectation.SC_OK.or(HttpResponseExpectation.SC_NOT_FOUND))
      .map(response -> response.statusCode() == 404
        ? Optional.empty()
        : Optional.of(known(response.bodyAsJsonObject().getJsonArray("reports", new JsonArray()))));
  }

  /** Reports whose blocking started while [from, to] ran, longest first. */
  public static JsonArray during(JsonArray reports, Instant from, Instant to) {
    List<JsonObject> kept = new ArrayList<>();
    for (int i = 0; i < reports.size(); i++) {
      JsonObject report = reports.getJsonObject(i);
      Instant started = startedAt(report);
      if (started != null && !started.isBefore(from) && !started.isAfter(to)) {
        kept.add(report);
      }
    }
    kept.sort(Comparator.comparingDouble((JsonObject r) -> r.getDouble("durationMs", 0.0)).reversed());
    return new JsonArray(new ArrayList<>(kept));
  }

  /** {@code vert.x-eventloop-thread-2 (event-loop 2) blocked 305 ms on GET /bad-example, reported after 121 ms}. */
  public static String headline(JsonObject report) {
    StringBuilder line = new StringBuilder(report.getString("thread", "?"));
    if (report.getValue("pool") != null || report.getValue("loop") != null) {
      line.append(" (").append(report.getString("pool", "loop"));
      if (report.getValue("loop") != null) {
        line.append(' ').append(report.getValue("loop"));
      }
      line.append(')');
    }
    line.append(String.format(Locale.ROOT, " blocked %.0f ms", report.getDouble("durationMs", 0.0)));
    if (report.getValue("ongoing") == Boolean.TRUE) {
      line.append(" (still blocked)");
    }
    if (report.getString("route") != null) {
      line.append(" on ").append(report.getString("route"));
    }
    if (report.getValue("detectedAfterMs") != null) {
      line.append(String.format(Locale.ROOT, ", reported after %.0f ms", report.getDouble("detectedAfterMs")));
    }
    return line.toString();
  }

  /** The route profile's entry for {@code route} (e.g. {@code GET /bad-example}); empty when LoopWatch has none. */
  public static Future<Optional<JsonObject>> route(WebClient admin, String route) {
    return admin.get(ROUTES_PATH).timeout(5_000).send()
      .expecting(HttpResponseExpectation.SC_OK.or(HttpResponseExpectation.SC_NOT_FOUND))
      .map(response -> response.statusCode() == 404 ? Optional.<JsonObject>empty()
        : response.bodyAsJsonObject().getJsonArray("routes", new JsonArray()).stream()
          .filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
          .filter(entry -> route.equals(entry.getString("route"))).findFirst());
  }

  /** {@code culprit: BlockingUpstreamClient.fetchPostBlocking -> HttpClient.send}, or empty when the report names none. */
  public static Optional<String> culprit(JsonObject report) {
    if (!(report.getValue("culprit") instanceof JsonObject culprit)) {
      return Optional.empty();
    }
    String call = culprit.getString("call");
    return Optional.of("culprit: " + culprit.getString("method") + (call == null ? "" : " -> " + call));
  }

  /** {@code 47 requests waited, up to 298 ms (GET /test/async 40, ...)}, or empty until the victims are counted. */
  public static Optional<String> victims(JsonObject report) {
    if (!(report.getValue("victims") instanceof JsonObject victims)) {
      return Optional.empty();
    }
    int requests = victims.getInteger("requests", 0);
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d request%s waited, up to %.0f ms",
      requests, requests == 1 ? "" : "s", victims.getDouble("maxWaitMs", 0.0)));
    JsonObject routes = victims.getJsonObject("routes", new JsonObject());
    if (!routes.isEmpty()) {
      List<String> byRoute = new ArrayList<>();
      routes.forEach(entry -> byRoute.add(entry.getKey() + " " + entry.getValue()));
      line.append(" (").append(String.join(", ", byRoute)).append(')');
    }
    return Optional.of(line.toString());
  }

  /**
   * The stack from the culprit's frame on (the frames that matter), with a count of the JDK frames above it;
   * the top frames when the report names no culprit.
   */
  public static List<String> framesFromCulprit(JsonObject report) {
    JsonArray stack = report.getJsonArray("stack", new JsonArray());
    int from = 0;
    if (report.getValue("culprit") instanceof JsonObject culprit) {
      from = Math.max(0, stack.getList().indexOf(culprit.getString("frame")));
    }
    List<String> frames = new ArrayList<>();
    if (from > 0) {
      frames.add("(" + from + " JDK frames above: the blocking call)");
    }
    for (int i = from; i < Math.min(from + FRAMES_SHOWN, stack.size()); i++) {
      frames.add("at " + stack.getValue(i));
    }
    if (stack.size() > from + FRAMES_SHOWN) {
      frames.add("... " + (stack.size() - from - FRAMES_SHOWN) + " more");
    }
    return frames;
  }

  /** The first frames of the blocked thread's stack: where it was stuck. */
  public static List<String> topFrames(JsonObject report) {
    JsonArray stack = report.getJsonArray("stack", new JsonArray());
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < Math.min(FRAMES_SHOWN, stack.size()); i++) {
      frames.add("at " + stack.getValue(i));
    }
    if (stack.size() > FRAMES_SHOWN) {
      frames.add("... " + (stack.size() - FRAMES_SHOWN) + " more");
    }
    return frames;
  }

  private static JsonArray known(JsonArray reports) {
    JsonArray kept = new JsonArray();
    for (Object item : reports) {
      if (item instanceof JsonObject report) {
        JsonObject known = new JsonObject();
        FIELDS.stream().filter(report::containsKey).forEach(field -> known.put(field, report.getValue(field)));
        kept.add(known);
      }
    }
    return kept;
  }

  private static Instant startedAt(JsonObject report) {
    try {
      return report.getString("startedAt") == null ? null : Instant.parse(report.getString("startedAt"));
    } catch (DateTimeParseException | ClassCastException e) {
      return null;
    }
  }
}
