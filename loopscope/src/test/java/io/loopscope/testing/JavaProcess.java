package io.loopscope.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code io.loopscope.Main} in a child JVM on the test classpath, as a user would run the jar. */
public final class JavaProcess {

  /** What a finished child printed and returned. */
  public record Outcome(int exitCode, String stdout, String stderr) {
    public List<String> stderrLines() {
      return stderr.lines().filter(line -> !line.isBlank()).toList();
    }
  }

  private JavaProcess() {
  }

  public static Outcome run(Map<String, String> env, long timeoutSeconds, String... args) throws IOException, InterruptedException {
    return run(List.of(), env, timeoutSeconds, args);
  }

  public static Outcome run(List<String> jvmArgs, Map<String, String> env, long timeoutSeconds, String... args)
    throws IOException, InterruptedException {
    Path out = Files.createTempFile("loopscope-child", ".out");
    Path err = Files.createTempFile("loopscope-child", ".err");
    try {
      Process process = builder(jvmArgs, env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("child did not exit within " + timeoutSeconds + " s; stderr: " + Files.readString(err));
      }
      return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  public static ProcessBuilder builder(List<String> jvmArgs, Map<String, String> env, String... args) {
    // what the jar's manifest says (Enable-Native-Access): Java 22+ would warn on stderr as Netty loads epoll
    List<String> command = new ArrayList<>(List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", classpath(), "io.loopscope.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("LOOPSCOPE_"));
    builder.environment().putAll(env);
    return builder;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Surefire runs tests from a manifest-only jar; it exposes the real classpath in this property. */
  private static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }
}
