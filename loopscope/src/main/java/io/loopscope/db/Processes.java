package io.loopscope.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a process is (its command line) and signals Java has no API for (SIGINT, SIGQUIT, SIGSTOP). Linux and macOS. */
final class Processes {

  private Processes() {
  }

  /** The command line, from ProcessHandle or else /proc (a process in another user namespace, e.g. one started by unshare). */
  static String commandLine(ProcessHandle process) {
    return process.info().commandLine().orElseGet(() -> procCommandLine(process.pid()));
  }

  private static String procCommandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")), StandardCharsets.UTF_8)
        .replace('\0', ' ');
    } catch (IOException | SecurityException e) {
      return "";
    }
  }

  /** The executable is PostgreSQL's server binary (the postmaster and its sessions). */
  static boolean isPostgres(String commandLine) {
    String executable = commandLine.split(" ", 2)[0];
    return executable.endsWith("/postgres") || executable.equals("postgres");
  }

  /** The command line names this directory as an argument (e.g. {@code -D dir}), not merely a longer path starting with it. */
  static boolean mentions(String commandLine, Path dir) {
    String path = dir.toString();
    return (commandLine + " ").contains(" " + path + " ");
  }

  /** kill -SIGNAL pid, through the shell's built-in kill (present wherever /bin/sh is). */
  static void signal(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder(List.of("/bin/sh", "-c", "kill -s " + signal + " \"$1\"", "sh", String.valueOf(pid)))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      kill.waitFor();
    } catch (IOException e) {
      throw new IllegalStateException("cannot send SIG" + signal + " to " + pid + " (" + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
