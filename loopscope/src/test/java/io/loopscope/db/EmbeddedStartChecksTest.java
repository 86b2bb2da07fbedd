package io.loopscope.db;

import io.loopscope.core.BuildInfo;
import io.loopscope.core.StartupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each way the embedded start can be doomed is found before PostgreSQL runs, and said in one line with the key and the fix. */
class EmbeddedStartChecksTest {

  @TempDir
  Path temp;

  @Test
  void a_data_directory_that_cannot_be_created_names_the_key_and_the_fix() throws Exception {
    Path file = Files.writeString(temp.resolve("a-file"), "x");
    assertThatThrownBy(() -> DataDirectory.create(file.resolve("pg")))
      .isInstanceOf(StartupException.class)
      .hasMessageStartingWith("db.embedded.dataDir: cannot create " + file.resolve("pg"))
      .hasMessageContaining("point db.embedded.dataDir at a directory this user can create");
  }

  @Test
  void a_port_in_use_names_db_embedded_port_and_port_0() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      assertThatThrownBy(() -> DataDirectory.checkPortFree(taken.getLocalPort()))
        .isInstanceOf(StartupException.class)
        .hasMessageStartingWith("db.embedded.port: port " + taken.getLocalPort() + " is already in use")
        .hasMessageContaining("db.embedded.port=0");
    }
  }

  @Test
  void data_of_another_postgresql_major_is_refused_with_what_to_do() throws Exception {
    Path dir = dataDirectoryOf("12");
    assertThatThrownBy(() -> DataDirectory.checkContents(dir, BuildInfo.postgresMajor()))
      .isInstanceOf(StartupException.class)
      .hasMessage("db.embedded.dataDir: " + dir + " holds data of PostgreSQL 12, this build runs PostgreSQL "
        + BuildInfo.postgresMajor() + "; upgrade it with that version's pg_upgrade, or point db.embedded.dataDir at a new directory");
  }

  @Test
  void data_of_our_major_passes() throws Exception {
    Path dir = dataDirectoryOf(BuildInfo.postgresMajor());
    DataDirectory.checkContents(dir, BuildInfo.postgresMajor());
    assertThat(dir.resolve("PG_VERSION")).exists();
  }

  @Test
  void a_directory_initdb_did_not_finish_is_emptied_so_that_initdb_runs_again() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("pg"));
    Files.writeString(dir.resolve("PG_VERSION"), BuildInfo.postgresMajor() + "\n");
    Files.createDirectories(dir.resolve("base/1"));
    Files.writeString(dir.resolve("postgresql.conf"), "");
    DataDirectory.checkContents(dir, BuildInfo.postgresMajor());
    try (var left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void a_directory_holding_anything_else_is_refused_and_left_alone() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("pg"));
    Path notes = Files.writeString(dir.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> DataDirectory.checkContents(dir, BuildInfo.postgresMajor()))
      .isInstanceOf(StartupException.class)
      .hasMessageContaining("is neither empty nor a PostgreSQL data directory");
    assertThat(notes).hasContent("mine");
  }

  @Test
  void a_directory_owned_by_a_live_loopscope_is_refused_naming_its_pid() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("pg"));
    try (DataDirLock owner = DataDirLock.acquire(dir)) {
      assertThat(owner.file()).hasContent(ProcessHandle.current().pid() + "\n");
      assertThatThrownBy(() -> DataDirLock.acquire(dir))
        .isInstanceOf(StartupException.class)
        .hasMessageStartingWith("db.embedded.dataDir: " + dir + " is in use by the loopscope with PID " + ProcessHandle.current().pid());
    }
    DataDirLock.acquire(dir).close();
  }

  @Test
  void a_postmaster_pid_file_whose_process_is_gone_is_removed() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("pg"));
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(dir.resolve("postmaster.pid"), gone.pid() + "\n" + dir + "\n");
    StaleServer.stopIfRunning(dir);
    assertThat(dir.resolve("postmaster.pid")).doesNotExist();
  }

  private Path dataDirectoryOf(String major) throws Exception {
    Path dir = Files.createDirectories(temp.resolve("pg"));
    Files.writeString(dir.resolve("PG_VERSION"), major + "\n");
    Files.createDirectories(dir.resolve("base"));
    Files.writeString(dir.resolve("postmaster.opts"), "postgres -D " + dir + "\n");
    return dir;
  }
}
