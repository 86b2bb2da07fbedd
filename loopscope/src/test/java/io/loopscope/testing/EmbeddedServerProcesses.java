package io.loopscope.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The processes of an embedded PostgreSQL seen from outside, through its data directory's postmaster.pid:
 * what a test of a crashed service looks for, freezes, and finally makes sure is gone (by PID).
 */
public final class EmbeddedServerProcesses {

  private EmbeddedServerProcesses() {
  }

  /** The live postmaster postmaster.pid names. */
  public static Optional<ProcessHandle> postmaster(Path dataDir) {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGSTOP to the postmaster and every session: a database that accepts connections and answers nothing. */
  public static List<Long> freeze(Path dataDir) {
    ProcessHandle postmaster = postmaster(dataDir).orElseThrow(() -> new IllegalStateException("no server on " + dataDir));
    List<Long> pids = Stream.concat(Stream.of(postmaster), postmaster.descendants()).map(ProcessHandle::pid).toList();
    Signals.send("STOP", pids);
    return pids;
  }

  public static void thaw(List<Long> pids) {
    Signals.send("CONT", pids.stream().filter(pid -> ProcessHandle.of(pid).isPresent()).toList());
  }

  /** Clean-up after a test: a postmaster still running on the directory is stopped (SIGQUIT by PID) and awaited. */
  public static void stopLeftover(Path dataDir) {
    postmaster(dataDir).ifPresent(postmaster -> {
      Signals.send("QUIT", List.of(postmaster.pid()));
      await().atMost(Duration.ofSeconds(10)).until(() -> !postmaster.isAlive());
    });
  }
}
