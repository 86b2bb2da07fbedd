package io.loopscope.db;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the embedded PostgreSQL die with the JVM that started it. A small {@code /bin/sh} child reads its
 * stdin, a pipe whose only writer is this JVM; the kernel closes that pipe the instant the JVM ends, by
 * kill -9 too, and the read returns EOF. The watcher then stops whatever postgres {@code postmaster.pid}
 * names (SIGINT, fast shutdown; SIGQUIT, immediate, after 5 s). After a clean stop the pid file is gone and
 * it simply exits. Chosen over PR_SET_PDEATHSIG (native code, and pg_ctl's postmaster is not our child) and
 * over PostgreSQL's own check of its lock file (about once a minute). It costs one idle shell process.
 */
final class PostmasterWatcher implements AutoCloseable {

  /** $1 the data directory. Checks the PID still is a postgres before signalling it (PIDs get reused). */
  static final String SCRIPT = String.join("\n",
    "while read -r _; do :; done",
    "pidfile=\"$1/postmaster.pid\"",
    "[ -f \"$pidfile\" ] || exit 0",
    "pid=$(head -n 1 \"$pidfile\")",
    "grep -q postgres \"/proc/$pid/cmdline\" 2>/dev/null || exit 0",
    "kill -s INT \"$pid\" 2>/dev/null || exit 0",
    "i=0",
    "while kill -s 0 \"$pid\" 2>/dev/null; do",
    "  i=$((i + 1))",
    "  [ \"$i\" -eq 50 ] && kill -s QUIT \"$pid\" 2>/dev/null",
    "  [ \"$i\" -ge 100 ] && exit 1",
    "  sleep 0.1",
    "done");

  private final Process process;

  private PostmasterWatcher(Process process) {
    this.process = process;
  }

  static PostmasterWatcher start(Path dataDir) throws IOException {
    Process process = new ProcessBuilder(List.of("/bin/sh", "-c", SCRIPT, "loopscope-pg-watcher", dataDir.toString()))
      .redirectOutput(ProcessBuilder.Redirect.DISCARD)
      .redirectError(ProcessBuilder.Redirect.DISCARD)
      .start();
    return new PostmasterWatcher(process);
  }

  /** After a clean stop: the watcher reads EOF, finds no pid file and exits. */
  @Override
  public void close() throws IOException {
    process.getOutputStream().close();
  }
}
