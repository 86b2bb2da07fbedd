package io.loopscope.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code kill -SIGNAL pid...} for tests: SIGSTOP and SIGCONT, which Java has no API for. */
public final class Signals {

  private Signals() {
  }

  public static void send(String signal, List<Long> pids) {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(String.valueOf(pid)));
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(kill.getInputStream().readAllBytes());
      if (kill.waitFor() != 0) {
        throw new IllegalStateException(command + " failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException(command + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(command + " interrupted", e);
    }
  }
}
