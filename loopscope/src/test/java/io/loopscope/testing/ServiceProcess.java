package io.loopscope.testing;

import java.util.Comparator;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * The packaged jar ({@code target/loopscope.jar}) running as a child process, the way an operator or
 * Kubernetes runs it: loopback, OS-chosen ports, a throwaway database, its own working directory.
 * Its stdout is kept line by line (and copied to {@code target/it-logs/}). Only for *IT tests, which
 * Maven's failsafe runs after {@code package}.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Pattern READY = Pattern.compile("loopscope ready: API on port (\\d+) .*admin on port (\\d+)");
  private static final Pattern WORKER_READY = Pattern.compile("loopscope worker ready: .*admin on port (\\d+)");
  private static final Pattern EMBEDDED = Pattern.compile("PostgreSQL embedded \\(data in (.+)\\) at postgresql://postgres@localhost:(\\d+)/");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  /**
   * The JVM the image runs (pom.xml's jib profile, perf/run): the heap fixed at what -XX:InitialRAMPercentage=37.5 and
   * -XX:MaxRAMPercentage=37.5 give in the 512Mi pod, and death on the first OutOfMemoryError, as there.
   * KubernetesManifestsTest keeps them in step.
   */
  public static final List<String> IMAGE_JVM_FLAGS = List.of("-XX:+UseG1GC", "-Xms192m", "-Xmx192m", "-XX:MaxDirectMemorySize=64m",
    "-Xss512k", "-XX:+ExitOnOutOfMemoryError");

  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final Path workDir;
  private final Path stderrFile;
  private final Thread reader;
  private final List<WebClient> clients = new ArrayList<>();
  private int apiPort = -1;
  private int adminPort = -1;

  private ServiceProcess(Process process, Path workDir, Path logFile, Path stderrFile) {
    this.process = process;
    this.workDir = workDir;
    this.stderrFile = stderrFile;
    this.reader = new Thread(() -> copyLines(logFile), "child-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code java -jar target/loopscope.jar serve ARGS} with these LOOPSCOPE_ variables on top of the test defaults, and waits until it is ready. */
  public static ServiceProcess start(String name, Map<String, String> env, String... args) {
    ServiceProcess service = launch(name, List.of(), env, "serve", args);
    service.awaitReady();
    return service;
  }

  /** The same, in the image's JVM ({@link #IMAGE_JVM_FLAGS}; its -Xmx comes last, so it wins over the tests' default). */
  public static ServiceProcess startAsImage(String name, Map<String, String> env, String... args) {
    ServiceProcess service = launch(name, IMAGE_JVM_FLAGS, env, "serve", args);
    service.awaitReady();
    return service;
  }

  /**
   * Starts {@code java JVM_FLAGS -jar target/loopscope.jar COMMAND ARGS} ({@code serve} or {@code worker}) without
   * waiting: several can start at once, then {@link #awaitReady()} each.
   */
  public static ServiceProcess launch(String name, List<String> jvmFlags, Map<String, String> env, String command,
                                      String... args) {
    try {
      Path workDir = Files.createTempDirectory("loopscope-it");
      Path logDir = Files.createDirectories(Path.of("target", "it-logs"));
      List<String> line = new ArrayList<>(List.of(javaBinary(), "-Xmx256m"));
      line.addAll(jvmFlags);
      line.addAll(List.of("-jar", jar().toString(), command));
      line.addAll(List.of(args));
      Path stderr = logDir.resolve(name + ".stderr.log");
      ProcessBuilder builder = new ProcessBuilder(line).directory(workDir.toFile()).redirectError(stderr.toFile());
      builder.environment().keySet().removeIf(key -> key.startsWith("LOOPSCOPE_"));
      builder.environment().putAll(defaults());
      builder.environment().putAll(env);
      return new ServiceProcess(builder.start(), workDir, logDir.resolve(name + ".stdout.log"), stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code serve} without waiting for anything (a test that kills it during start-up, or expects it to fail). */
  public static ServiceProcess launch(String name, Map<String, String> env) {
    return launch(name, List.of(), env, "serve");
  }

  /** The LOOPSCOPE_ variables of a service whose embedded PostgreSQL keeps its data in {@code dataDir}. */
  public static Map<String, String> keptDataDir(Path dataDir) {
    return Map.of("LOOPSCOPE_DB_EMBEDDED_EPHEMERAL", "false", "LOOPSCOPE_DB_EMBEDDED_DATADIR", dataDir.toString());
  }

  private static Map<String, String> defaults() {
    Map<String, String> env = new HashMap<>();
    env.put("LOOPSCOPE_HTTP_HOST", "127.0.0.1");
    env.put("LOOPSCOPE_HTTP_PORT", "0");
    env.put("LOOPSCOPE_ADMIN_HOST", "127.0.0.1");
    env.put("LOOPSCOPE_ADMIN_PORT", "0");
    env.put("LOOPSCOPE_UPSTREAM_HOST", "127.0.0.1");
    env.put("LOOPSCOPE_UPSTREAM_PORT", "0");
    env.put("LOOPSCOPE_DB_EMBEDDED_EPHEMERAL", "true");
    return env;
  }

  /** The jar failsafe hands over (-Dit.jar), else target/loopscope.jar. */
  static Path jar() {
    Path jar = Path.of(System.getProperty("it.jar", "target/loopscope.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: *IT tests run after `mvn package` (mvn -B verify)");
    }
    return jar;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Waits for the ready line and reads the ports from it (a worker has no API port: -1). */
  public ServiceProcess awaitReady() {
    await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50))
      .failFast("the service exited during start-up", () -> !process.isAlive())
      .until(() -> readyLine().isPresent());
    String line = readyLine().orElseThrow();
    Matcher ready = READY.matcher(line);
    Matcher worker = WORKER_READY.matcher(line);
    if (ready.find()) {
      apiPort = Integer.parseInt(ready.group(1));
      adminPort = Integer.parseInt(ready.group(2));
    } else if (worker.find()) {
      adminPort = Integer.parseInt(worker.group(1));
    } else {
      throw new IllegalStateException("unreadable ready line");
    }
    return this;
  }

  private Optional<String> readyLine() {
    return lines().stream().filter(line -> READY.matcher(line).find() || WORKER_READY.matcher(line).find()).findFirst();
  }

  private void copyLines(Path logFile) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         var copy = Files.newBufferedWriter(logFile)) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (stdout) {
          stdout.add(line);
        }
        copy.write(line);
        copy.newLine();
        copy.flush();
      }
    } catch (IOException e) {
      // the process is gone; what was read is kept
    }
  }

  /** The embedded PostgreSQL's data directory and port, from the line the service logs when its database is ready. */
  public record EmbeddedPostgres(Path dataDir, int port) {
    public String url() {
      return "postgresql://postgres@localhost:" + port + "/postgres";
    }
  }

  public EmbeddedPostgres embeddedPostgres() {
    return lines().stream().map(EMBEDDED::matcher).filter(Matcher::find).findFirst()
      .map(found -> new EmbeddedPostgres(Path.of(found.group(1)), Integer.parseInt(found.group(2))))
      .orElseThrow(() -> new IllegalStateException("the service logged no embedded PostgreSQL"));
  }

  /** What the process wrote to stderr so far, line by line. */
  public List<String> stderrLines() {
    try {
      return Files.readAllLines(stderrFile).stream().filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every stdout line so far. */
  public List<String> lines() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  /** A client for the API port with room for many concurrent requests; closed with this process. */
  public WebClient apiClient(Vertx vertx) {
    WebClient client = TestService.client(vertx, apiPort);
    clients.add(client);
    return client;
  }

  public int apiPort() {
    return apiPort;
  }

  public int adminPort() {
    return adminPort;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** {@code kill -9}, as a crash: no shutdown hook, no goodbye to the cluster. */
  public void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor();
  }

  /**
   * SIGTERM, as Kubernetes sends it. Through the process handle: Process.destroy() also closes our end of
   * the child's stdout, and every line it logs while stopping would be lost.
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGSTOP / SIGCONT: pins the process where it is (a test reads the database's state before a kill). */
  public void pause() {
    Signals.send("STOP", List.of(process.pid()));
  }

  public void resume() {
    Signals.send("CONT", List.of(process.pid()));
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Waits for the exit and returns its code; fails if the process outlives the timeout. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the service did not exit within " + timeout);
    }
    // the last lines may still be in the pipe: the reader ends at its end
    reader.join(5_000);
    return process.exitValue();
  }

  @Override
  public void close() throws IOException {
    clients.forEach(WebClient::close);
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    try (var files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
