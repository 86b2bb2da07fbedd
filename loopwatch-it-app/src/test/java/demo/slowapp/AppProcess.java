package demo.slowapp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/** The application under test as a process of its own: started, read line by line, and always stopped. */
final class AppProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on (\\d+)");
  private final Process process;
  private final Queue<String> lines = new ConcurrentLinkedQueue<>();

  private AppProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(this::read, "app-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** {@code java <jvmArgs> -cp <classpath> <mainClass>} with its output (stdout and stderr) collected. */
  static AppProcess start(List<String> jvmArgs, String classpath, String mainClass) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.addAll(List.of("-Dport=0", "-cp", classpath, mainClass));
    return new AppProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** The application's own class path, as Maven resolved it for production: Vert.x and SLF4J, no LoopWatch. */
  static String applicationClasspath() throws IOException {
    return System.getProperty("it.app.classes") + java.io.File.pathSeparator
      + Files.readString(Path.of(System.getProperty("it.app.classpath"))).strip();
  }

  int awaitPort() {
    return Integer.parseInt(await("the application listening").atMost(Duration.ofSeconds(30)).until(
      () -> lines.stream().map(LISTENING::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst().orElse(null),
      port -> port != null));
  }

  /** The first line of its output that contains every one of {@code parts}, waited for. */
  String awaitLine(String... parts) {
    return await("a line with " + List.of(parts) + " in:\n" + String.join("\n", lines)).atMost(Duration.ofSeconds(20))
      .until(() -> lines.stream().filter(line -> List.of(parts).stream().allMatch(line::contains)).findFirst().orElse(null),
        line -> line != null);
  }

  static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private void read() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("(output lost: " + e + ")");
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
