package io.loopscope.cli;

import io.loopscope.bench.ArticleSuite;
import io.loopscope.bench.CommandLineRun;
import io.loopscope.bench.JsonReport;
import io.loopscope.bench.LoadSettings;
import io.loopscope.bench.Progress;
import io.loopscope.bench.ReportFiles;
import io.loopscope.bench.Endpoint;
import io.loopscope.bench.EndpointResult;
import io.loopscope.bench.TextReport;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code loopscope bench}: a load generator for any HTTP/1.1 server, on Vert.x WebClient with HdrHistogram latencies. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
  description = {
    "Load any HTTP/1.1 server; report throughput and latency percentiles.",
    "  burst (default) --requests N over --concurrency keep-alive connections",
    "  closed loop     --duration D: each connection sends again when answered",
    "  open loop       --rate R --duration D: latency from each scheduled time",
    "URLs run one after another. Exit codes: 0 done (failed requests are",
    "counted, not fatal); 1 a URL cannot be reached or a report not written;",
    "2 invalid options."},
  footer = {"", "Examples:",
    "  loopscope bench -n 100 -c 100 http://localhost:8080/test/async",
    "  loopscope bench -d 10s -w 15s 'http://localhost:8080/test/async?ms=0'",
    "  loopscope bench -r 200 -d 30s --html out.html http://localhost:8080/",
    "  loopscope bench --suite article --url http://localhost:8080"})
public final class BenchCommand implements Callable<Integer> {

  @Parameters(paramLabel = "URL", arity = "0..*", description = "http:// or https:// URLs to load")
  List<String> urls = new ArrayList<>();

  @Option(names = {"-n", "--requests"}, paramLabel = "N", description = "burst: requests per URL (default 100)")
  Long requests;

  @Option(names = {"-c", "--concurrency"}, paramLabel = "C", defaultValue = "100",
    description = "connections = requests in flight (default ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = {"-d", "--duration"}, paramLabel = "D", converter = DurationConverter.class,
    description = "closed/open loop: time per URL (10s, 500ms, 2m)")
  Duration duration;

  @Option(names = {"-r", "--rate"}, paramLabel = "R", description = "open loop: requests per second, on a fixed schedule")
  Double rate;

  @Option(names = {"-w", "--warmup"}, paramLabel = "D", converter = DurationConverter.class, defaultValue = "0s",
    description = "load each URL this long first, unrecorded")
  Duration warmup;

  @Option(names = {"-t", "--timeout"}, paramLabel = "D", converter = DurationConverter.class, defaultValue = "30s",
    description = "per-request timeout (default ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "add a request header (repeatable)")
  List<String> headers = new ArrayList<>();

  @Option(names = {"-m", "--method"}, paramLabel = "METHOD", defaultValue = "GET", description = "HTTP method (default ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--body", paramLabel = "TEXT|@FILE", description = "request body, or @FILE to read it from a file")
  String body;

  @Option(names = "--json", paramLabel = "FILE", description = "write the results as JSON")
  Path jsonFile;

  @Option(names = "--html", paramLabel = "FILE", description = "write a self-contained HTML page with charts")
  Path htmlFile;

  @Option(names = "--suite", paramLabel = "NAME", description = "run a suite instead of URLs: article")
  String suite;

  @Option(names = "--url", paramLabel = "BASE", description = "the server the suite runs against")
  String baseUrl;

  @Option(names = "--latency-ms", paramLabel = "MS", defaultValue = "100",
    description = "suite: ?ms= asked of each endpoint (default ${DEFAULT-VALUE})")
  int latencyMs;

  @Option(names = "--event-loops", paramLabel = "N",
    description = "client event loops (default: one per core)")
  Integer eventLoops;

  @Option(names = "--progress", paramLabel = "STYLE", defaultValue = "auto",
    description = "auto (bar on a terminal, else lines), bar, lines, off")
  String progress;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    ArticleSuite articleSuite = articleSuite();
    List<Endpoint> targets = articleSuite != null ? articleSuite.targets() : parseTargets();
    LoadSettings settings = settings();
    Progress.Style style = progressStyle();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(settings.eventLoops()).setWorkerPoolSize(1));
    try {
      CommandLineRun run = new CommandLineRun(vertx, settings, style, System.err);
      List<EndpointResult> results = run.run(targets);
      try {
        report(spec.commandLine().getOut(), results, settings, articleSuite);
      } finally {
        run.finished();
      }
      return 0;
    } finally {
      vertx.close().await();
    }
  }

  private void report(PrintWriter out, List<EndpointResult> results, LoadSettings settings, ArticleSuite articleSuite) {
    if (articleSuite != null) {
      TextReport.printSuite(out, results, settings, articleSuite);
    } else {
      TextReport.printTargets(out, results, settings);
    }
    if (jsonFile != null || htmlFile != null) {
      ReportFiles.save(out, JsonReport.of(results, settings, articleSuite), jsonFile, htmlFile);
    }
  }

  private ArticleSuite articleSuite() {
    if (suite == null) {
      if (baseUrl != null) {
        throw usage("--url BASE goes with --suite article; to load URLs, list them");
      }
      return null;
    }
    if (!suite.equals(ArticleSuite.NAME)) {
      throw usage("unknown suite '" + suite + "' (known: " + ArticleSuite.NAME + ")");
    }
    if (baseUrl == null || !urls.isEmpty()) {
      throw usage("--suite article takes --url BASE and no URLs");
    }
    if (duration != null || rate != null) {
      throw usage("--suite article is a burst: use --requests and --concurrency, not --duration or --rate");
    }
    if (latencyMs < 0 || latencyMs > 600_000) {
      throw usage("--latency-ms must be between 0 and 600000");
    }
    try {
      Endpoint.parse(baseUrl);
    } catch (IllegalArgumentException e) {
      throw usage("--url: " + e.getMessage());
    }
    return new ArticleSuite(baseUrl, latencyMs);
  }

  private List<Endpoint> parseTargets() {
    if (urls.isEmpty()) {
      throw usage("give at least one URL, or --suite article --url BASE");
    }
    List<Endpoint> parsed = new ArrayList<>();
    for (String url : urls) {
      try {
        parsed.add(Endpoint.parse(url));
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
    }
    return Endpoint.labelled(parsed);
  }

  private LoadSettings settings() {
    if (concurrency < 1 || concurrency > 10_000) {
      throw usage("--concurrency must be between 1 and 10000");
    }
    int loops = eventLoops == null ? Math.min(64, Runtime.getRuntime().availableProcessors()) : eventLoops;
    if (loops < 1 || loops > 64) {
      throw usage("--event-loops must be between 1 and 64");
    }
    requirePositive(timeout, "--timeout");
    LoadSettings settings;
    if (rate != null) {
      if (!(rate > 0 && rate <= 10_000_000)) {
        throw usage("--rate must be above 0 and at most 10000000");
      }
      if (duration == null || requests != null) {
        throw usage("--rate goes with --duration, not --requests");
      }
      settings = LoadSettings.openLoop(rate, requirePositive(duration, "--duration"), concurrency);
    } else if (duration != null) {
      if (requests != null) {
        throw usage("choose --requests (burst) or --duration (closed loop), not both");
      }
      settings = LoadSettings.closedLoop(requirePositive(duration, "--duration"), concurrency);
    } else {
      long n = requests == null ? 100 : requests;
      if (n < 1 || n > 1_000_000_000L) {
        throw usage("--requests must be between 1 and 1000000000");
      }
      settings = LoadSettings.burst(n, concurrency);
    }
    return settings.withWarmup(warmup).withTimeout(timeout).withEventLoops(loops)
      .withRequest(httpMethod(), requestHeaders(), requestBody());
  }

  private HttpMethod httpMethod() {
    String name = method.toUpperCase(Locale.ROOT);
    if (!name.matches("[A-Z]{1,20}")) {
      throw usage("--method '" + method + "' is not an HTTP method");
    }
    return HttpMethod.valueOf(name);
  }

  private MultiMap requestHeaders() {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (String header : headers) {
      int colon = header.indexOf(':');
      String name = colon < 0 ? "" : header.substring(0, colon).trim();
      if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw usage("--header '" + header + "' is not 'Name: value'");
      }
      map.add(name, header.substring(colon + 1).trim());
    }
    if (body != null && !map.contains(HttpHeaders.CONTENT_TYPE)) {
      map.set(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    return map;
  }

  private Buffer requestBody() {
    if (body == null) {
      return null;
    }
    if (!body.startsWith("@")) {
      return Buffer.buffer(body);
    }
    Path file = Path.of(body.substring(1));
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw usage("--body: cannot read " + file + " (" + e.getMessage() + ")");
    }
  }

  private Progress.Style progressStyle() {
    try {
      return Progress.Style.valueOf(progress.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usage("--progress must be auto, bar, lines or off");
    }
  }

  private Duration requirePositive(Duration value, String option) {
    if (value.isZero() || value.isNegative()) {
      throw usage(option + " must be longer than 0");
    }
    return value;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
