package io.loopscope.cli;

import io.loopscope.bench.ArticleSuite;
import io.loopscope.bench.BlockedThreads;
import io.loopscope.bench.CommandLineRun;
import io.loopscope.bench.JsonReport;
import io.loopscope.bench.LoadSettings;
import io.loopscope.bench.Progress;
import io.loopscope.bench.ReportFiles;
import io.loopscope.bench.EndpointResult;
import io.loopscope.bench.TextReport;
import io.loopscope.config.ConfigLoader;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.app.MainVerticle;
import io.loopscope.app.RunningService;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code loopscope demo}: the article's benchmark, start to finish, in one process. Starts a whole
 * loopscope on loopback ports the OS picks (so a loopscope already running on 8080/9090 is left alone),
 * runs the article suite against it, shows what LoopWatch caught while {@code /bad-example} blocked the
 * event loops, and writes an HTML report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
  description = {"Start loopscope in-process on free loopback ports, run the article's benchmark against it,",
    "print the table and the blocked-thread reports of /bad-example, and write an HTML report."})
public final class DemoCommand implements Callable<Integer> {

  static final String BAD_EXAMPLE = "/bad-example";
  private static final int REPORTS_SHOWN = 3;

  @Option(names = "--html", paramLabel = "FILE", defaultValue = "target/bench-report.html",
    description = "the HTML report (default ${DEFAULT-VALUE})")
  Path htmlFile;

  @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
  Path jsonFile;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration for the service (ports are always chosen by the OS)")
  Path configFile;

  @Option(names = "--requests", paramLabel = "N", defaultValue = "100", description = "requests per endpoint (default ${DEFAULT-VALUE})")
  long requests;

  @Option(names = "--concurrency", paramLabel = "C", defaultValue = "100", description = "connections (default ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--latency-ms", paramLabel = "MS", defaultValue = "100",
    description = "what each endpoint waits (default ${DEFAULT-VALUE})")
  int latencyMs;

  @Spec
  CommandSpec spec;

  /** Loopback and OS-chosen ports for every server, throwaway data. */
  static Map<String, Object> demoOverrides() {
    return Map.of(
      "http.host", "127.0.0.1", "http.port", 0,
      "admin.host", "127.0.0.1", "admin.port", 0,
      "upstream.host", "127.0.0.1", "upstream.port", 0,
      "db.embedded.ephemeral", true);
  }

  @Override
  public Integer call() {
    if (requests < 1 || requests > 1_000_000 || concurrency < 1 || concurrency > 10_000 || latencyMs < 0 || latencyMs > 10_000) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "--requests 1..1000000, --concurrency 1..10000 and --latency-ms 0..10000");
    }
    PrintWriter out = spec.commandLine().getOut();
    LoopscopeConfig config = ConfigLoader.load(Optional.ofNullable(configFile)).with(demoOverrides());
    RunningService service = RunningService.start(config).await();
    Vertx benchVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      String baseUrl = "http://127.0.0.1:" + service.apiPort();
      out.printf("loopscope demo: API %s, admin http://127.0.0.1:%d, %d event loops (ports chosen by the OS)%n",
        baseUrl, service.adminPort(), MainVerticle.eventLoopCount(config));
      out.printf("article suite: %d requests per endpoint, concurrency %d, %d ms each%n%n", requests, concurrency, latencyMs);
      out.flush();
      ArticleSuite suite = new ArticleSuite(baseUrl, latencyMs);
      LoadSettings settings = LoadSettings.burst(requests, concurrency);
      CommandLineRun run = new CommandLineRun(benchVertx, settings, Progress.Style.AUTO, System.err);
      List<EndpointResult> results = run.run(suite.targets());
      try {
        TextReport.printSuite(out, results, settings, suite);
        Optional<JsonArray> blocked = showBlocked(out, benchVertx, service.adminPort(), results);
        JsonObject report = JsonReport.of(results, settings, suite);
        blocked.ifPresent(reports -> report.put("blockedThreads", reports));
        ReportFiles.save(out, report, jsonFile, htmlFile);
      } finally {
        run.finished();
      }
      return 0;
    } finally {
      benchVertx.close().await();
      service.stop().await();
    }
  }

  /** LoopWatch's reports whose blocking began while /bad-example ran; empty when LoopWatch is not there. */
  private static Optional<JsonArray> blockedDuringBadExample(Vertx vertx, int adminPort, List<EndpointResult> results) {
    Optional<EndpointResult> bad = results.stream().filter(r -> r.target().label().equals(BAD_EXAMPLE)).findFirst();
    if (bad.isEmpty()) {
      return Optional.of(new JsonArray());
    }
    WebClient admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(adminPort));
    try {
      return BlockedThreads.fetch(admin).await()
        .map(reports -> BlockedThreads.during(reports, bad.get().startedAt(), bad.get().endedAt()));
    } finally {
      admin.close();
    }
  }

  /** Prints what LoopWatch caught; answers the reports, or nothing when they could not be had. */
  private static Optional<JsonArray> showBlocked(PrintWriter out, Vertx vertx, int adminPort, List<EndpointResult> results) {
    out.println();
    Optional<JsonArray> blocked;
    try {
      blocked = blockedDuringBadExample(vertx, adminPort, results);
    } catch (RuntimeException e) {
      out.println("LoopWatch's reports could not be read (GET " + BlockedThreads.PATH + "): " + e.getMessage());
      return Optional.empty();
    }
    if (blocked.isEmpty()) {
      out.println("LoopWatch is not available (GET " + BlockedThreads.PATH + " answered 404): no blocked-thread reports to show.");
      return blocked;
    }
    printBlocked(out, blocked.get());
    printProfile(out, vertx, adminPort, blocked.get().size());
    return blocked;
  }

  private static void printBlocked(PrintWriter out, JsonArray reports) {
    out.printf("LoopWatch caught %d blocked event loop%s during %s%s%n", reports.size(), reports.size() == 1 ? "" : "s",
      BAD_EXAMPLE, reports.size() > REPORTS_SHOWN ? "; the " + REPORTS_SHOWN + " longest:" : reports.isEmpty() ? "." : ":");
    for (int i = 0; i < Math.min(REPORTS_SHOWN, reports.size()); i++) {
      JsonObject report = reports.getJsonObject(i);
      out.println("  " + BlockedThreads.headline(report));
      BlockedThreads.culprit(report).ifPresent(culprit -> out.println("      " + culprit));
      BlockedThreads.victims(report).ifPresent(victims -> out.println("      " + victims));
      BlockedThreads.framesFromCulprit(report).forEach(frame -> out.println("      " + frame));
    }
    out.println();
  }

  /** How many of the bad calls held a loop, and for how long, from the route profile; and why the report count may differ. */
  private static void printProfile(PrintWriter out, Vertx vertx, int adminPort, int reports) {
    WebClient admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(adminPort));
    try {
      Optional<JsonObject> route = BlockedThreads.route(admin, "GET " + BAD_EXAMPLE).await();
      route.ifPresent(entry -> out.println(profileLine(entry, reports)));
    } catch (RuntimeException e) {
      out.println("LoopWatch's route profile could not be read (GET " + BlockedThreads.ROUTES_PATH + "): " + e.getMessage());
    } finally {
      admin.close();
    }
    out.println();
  }

  /**
   * {@code Route profile: 100 calls of GET /bad-example held their loop 101 ms at p50, 140 ms at most; 97 for 100 ms
   * or more ...}: the calls that reached the threshold against the reports the checker made of them.
   */
  static String profileLine(JsonObject entry, int reports) {
    JsonObject busy = entry.getJsonObject("loopBusyMs");
    long calls = entry.getLong("requests");
    long over = busy.getLong("overThreshold", 0L);
    String line = String.format(java.util.Locale.ROOT,
      "Route profile: %d calls of %s held their event loop %.0f ms at p50, %.0f ms at most; %d of them for the "
        + "report threshold or longer.", calls, entry.getString("route"), busy.getDouble("p50"), busy.getDouble("max"), over);
    if (over == reports) {
      return line + " Each of those is one of the " + reports + " reports.";
    }
    return line + " " + reports + " reports: a report is one uninterrupted dispatch of a loop, and Vert.x may run calls that "
      + "queued behind a blocked loop back to back in one dispatch (one stall, one report); and a call that ends within one "
      + "check interval (diagnostics.checkIntervalMs) past the threshold may be over before the checker looks. "
      + "The route profile times every call.";
  }
}
