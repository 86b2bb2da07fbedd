package io.loopscope.db;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import io.loopscope.core.StartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL left running on a data directory by a loopscope that died (kill -9, OOM kill): found
 * through {@code postmaster.pid} (line 1 the PID, line 2 the directory) and stopped the way pg_ctl does,
 * SIGINT (fast shutdown) then SIGQUIT (immediate) after a bound. Committed data is in the WAL either way.
 * Only called while holding the {@link DataDirLock}, so no live loopscope uses that server.
 */
final class StaleServer {

  private static final Logger LOG = LoggerFactory.getLogger(StaleServer.class);
  static final Duration FAST_SHUTDOWN_WAIT = Duration.ofSeconds(5);
  static final Duration IMMEDIATE_SHUTDOWN_WAIT = Duration.ofSeconds(5);

  private StaleServer() {
  }

  /** Stops the server postmaster.pid names, if it is alive and serves this directory; removes a pid file whose process is gone. */
  static void stopIfRunning(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    Optional<ProcessHandle> postmaster = postmaster(dataDir);
    if (postmaster.isPresent()) {
      stop(postmaster.get(), dataDir);
    }
    // a dead PID (or one reused by another program since) would make PostgreSQL refuse to start
    if (Files.exists(pidFile) && postmaster(dataDir).isEmpty()) {
      LOG.info("Removing the stale {} (its process is gone)", pidFile);
      Files.deleteIfExists(pidFile);
    }
  }

  /** The live postgres that postmaster.pid names, when it is a postgres serving this directory. */
  static Optional<ProcessHandle> postmaster(Path dataDir) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (lines.isEmpty() || !lines.get(0).trim().matches("\\d+")) {
      return Optional.empty();
    }
    return ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
      .filter(ProcessHandle::isAlive)
      .filter(process -> servesDirectory(process, dataDir));
  }

  private static boolean servesDirectory(ProcessHandle process, Path dataDir) {
    String commandLine = Processes.commandLine(process);
    return Processes.isPostgres(commandLine) && Processes.mentions(commandLine, dataDir);
  }

  private static void stop(ProcessHandle postmaster, Path dataDir) {
    long pid = postmaster.pid();
    LOG.warn("A PostgreSQL (PID {}) left by a loopscope that is gone still serves {}: stopping it (fast shutdown)", pid, dataDir);
    Processes.signal("INT", pid);
    if (exited(postmaster, FAST_SHUTDOWN_WAIT)) {
      return;
    }
    LOG.warn("PostgreSQL (PID {}) did not stop within {} s: immediate shutdown", pid, FAST_SHUTDOWN_WAIT.toSeconds());
    Processes.signal("QUIT", pid);
    if (!exited(postmaster, IMMEDIATE_SHUTDOWN_WAIT)) {
      throw new StartupException("db.embedded.dataDir", "the PostgreSQL with PID " + pid + " left running on " + dataDir
        + " does not stop; end it (kill -9 " + pid + ") and start again");
    }
  }

  private static boolean exited(ProcessHandle process, Duration within) {
    try {
      process.onExit().get(within.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    } catch (ExecutionException e) {
      return !process.isAlive();
    }
  }
}
