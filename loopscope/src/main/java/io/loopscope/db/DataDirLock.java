package io.loopscope.db;

import io.loopscope.core.StartupException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who owns an embedded data directory: the process holding an OS lock on {@code <dataDir>.lock}, which
 * also holds its PID. The kernel drops the lock the moment that process dies, however it dies, so a
 * lock that can be taken means no live loopscope owns the directory, whatever the file says. The file
 * sits beside the data directory because initdb wants an empty directory.
 */
final class DataDirLock implements AutoCloseable {

  /**
   * Locks this JVM holds: a second channel on a locked file must not even be opened, since closing it would
   * drop the first one's lock (POSIX record locks belong to the process, not the channel).
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  static Path fileFor(Path dataDir) {
    return dataDir.resolveSibling(dataDir.getFileName() + ".lock");
  }

  /** Takes the lock at once or fails with one line naming the owner's PID; never waits. */
  static DataDirLock acquire(Path dataDir) throws IOException {
    Path file = fileFor(dataDir);
    if (!HELD.add(file)) {
      throw inUse(dataDir, String.valueOf(ProcessHandle.current().pid()));
    }
    FileChannel channel;
    FileLock lock;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      HELD.remove(file);
      throw e;
    }
    if (lock == null) {
      String owner = owner(channel);
      channel.close();
      HELD.remove(file);
      throw inUse(dataDir, owner);
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
    channel.force(true);
    return new DataDirLock(file, channel, lock);
  }

  private static StartupException inUse(Path dataDir, String ownerPid) {
    return new StartupException("db.embedded.dataDir", dataDir + " is in use by the loopscope with PID " + ownerPid
      + "; stop that one first, or point db.embedded.dataDir at another directory");
  }

  private static String owner(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(32);
    channel.read(buffer, 0);
    String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
    return pid.isEmpty() ? "(unknown)" : pid;
  }

  Path file() {
    return file;
  }

  /** Releases the lock; when {@code delete}, also the file (an ephemeral directory leaves nothing behind). */
  void release(boolean delete) throws IOException {
    if (delete) {
      Files.deleteIfExists(file);
    }
    close();
  }

  @Override
  public void close() throws IOException {
    if (channel.isOpen()) {
      lock.release();
      channel.close();
      HELD.remove(file);
    }
  }
}
