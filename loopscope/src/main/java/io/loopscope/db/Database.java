package io.loopscope.db;

import io.loopscope.concurrency.Elapsed;
import io.loopscope.core.Causes;
import io.loopscope.config.ConfigException;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.core.StartupException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.healthchecks.Status;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The database's lifecycle and the one reactive pool. {@link #start} finds PostgreSQL ({@code db.url},
 * {@code db.urlFile}, else the embedded server), migrates it with Flyway, all off the event loop, then
 * builds the pool. {@link #run} is how everyone queries: with {@code db.timeoutMs} and with an unavailable
 * database turned into a 503 problem.
 */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final String MIGRATIONS = "classpath:db/migration";
  /** A probe must answer within the kubelet's default 1 s probe timeout, whatever db.timeoutMs allows a request. */
  private static final int HEALTH_CHECK_MAX_MS = 800;
  /**
   * The pool drops a waiter this much after {@link #run}'s own timeout has failed it: that one fires first
   * and is a TimeoutException (503), where the pool's is an untyped VertxException.
   */
  private static final int POOL_WAIT_GRACE_MS = 1_000;

  private final ConnectionSettings target;
  private final EmbeddedDatabase embedded;
  private final Pool pool;
  private final int timeoutMs;
  private final int poolSize;
  /** For the readiness check's timer when it is asked off any Vert.x context. */
  private final Vertx vertx;

  private Database(Vertx vertx, LoopscopeConfig.Db config, ConnectionSettings target, EmbeddedDatabase embedded) {
    this.vertx = vertx;
    this.target = target;
    this.embedded = embedded;
    this.timeoutMs = config.timeoutMs();
    this.poolSize = config.poolSize();
    this.pool = PgBuilder.pool()
      .with(new PoolOptions().setName("loopscope").setMaxSize(config.poolSize())
        .setConnectionTimeout(timeoutMs + POOL_WAIT_GRACE_MS).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
      .with(new NetClientOptions().setConnectTimeout(timeoutMs))
      .connectingTo(target.connectOptions(timeoutMs))
      .using(vertx)
      .build();
  }

  /** Finds (or starts) PostgreSQL and migrates it on a worker thread, then builds the pool. */
  public static Future<Database> start(Vertx vertx, LoopscopeConfig.Db config) {
    return vertx.executeBlocking(() -> locateAndMigrate(config))
      .map(located -> new Database(vertx, config, located.target(), located.embedded()));
  }

  private record Located(ConnectionSettings target, EmbeddedDatabase embedded) {
  }

  private static Located locateAndMigrate(LoopscopeConfig.Db config) throws IOException {
    long start = System.nanoTime();
    Optional<ConnectionSettings> external = externalTarget(config);
    EmbeddedDatabase embedded = external.isPresent() ? null : startEmbedded(config.embedded());
    ConnectionSettings target = external.orElseGet(() -> embedded.target());
    String source = !config.url().isEmpty() ? "db.url" : embedded == null ? "db.urlFile" : "db.embedded.dataDir";
    try {
      MigrateResult migrated = migrate(source, target, config.timeoutMs());
      LOG.info("PostgreSQL {} at {}: schema version {} ({} migrations applied now), ready in {} ms",
        embedded == null ? "external" : "embedded (data in " + embedded.dataDir() + ")", target,
        migrated.targetSchemaVersion == null ? migrated.initialSchemaVersion : migrated.targetSchemaVersion,
        migrated.migrationsExecuted, Elapsed.msSince(start));
      return new Located(target, embedded);
    } catch (RuntimeException e) {
      closeQuietly(embedded, e);
      throw e;
    }
  }

  /** db.url (or LOOPSCOPE_DB_URL), else the contents of db.urlFile, else none: use the embedded server. */
  private static Optional<ConnectionSettings> externalTarget(LoopscopeConfig.Db config) throws IOException {
    if (!config.url().isEmpty()) {
      return Optional.of(ConnectionSettings.parse("db.url", config.url()));
    }
    if (config.urlFile().isEmpty()) {
      return Optional.empty();
    }
    Path file = Path.of(config.urlFile());
    if (!Files.isReadable(file)) {
      throw new ConfigException("db.urlFile", "cannot read " + file);
    }
    return Optional.of(ConnectionSettings.parse("db.urlFile", Files.readString(file).trim()));
  }

  /** The checks before the start fail with their own line (key and fix); anything else names the directory. */
  private static EmbeddedDatabase startEmbedded(LoopscopeConfig.Db.Embedded config) {
    EmbeddedDatabase embedded = null;
    try {
      embedded = EmbeddedDatabase.prepare(config);
      embedded.start();
      return embedded;
    } catch (StartupException e) {
      closeQuietly(embedded, e);
      throw e;
    } catch (IOException | RuntimeException e) {
      closeQuietly(embedded, e);
      throw new StartupException("db.embedded.dataDir", "cannot start the embedded PostgreSQL in " + config.dataDir()
        + " (" + e.getMessage() + ")");
    }
  }

  private static void closeQuietly(EmbeddedDatabase embedded, Exception failure) {
    if (embedded == null) {
      return;
    }
    try {
      embedded.close();
    } catch (IOException | RuntimeException closing) {
      failure.addSuppressed(closing);
    }
  }

  /** @param source the configuration key the target came from, named when it cannot be migrated */
  private static MigrateResult migrate(String source, ConnectionSettings target, int timeoutMs) {
    try {
      return Flyway.configure()
        .dataSource(target.jdbcUrl(timeoutMs), target.user(), target.password())
        .locations(MIGRATIONS)
        .load()
        .migrate();
    } catch (FlywayException e) {
      throw new StartupException(source, "cannot migrate " + target + " (" + Causes.rootMessage(e) + ")");
    }
  }

  /** Runs queries on the pool, failing with a 503 problem when the database is unavailable or slower than db.timeoutMs. */
  public <T> Future<T> run(Function<Pool, Future<T>> queries) {
    return queries.apply(pool)
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .recover(DatabaseFailures::translate);
  }

  /**
   * Opens the whole pool (db.poolSize connections) before the first request, the connections spread round-robin
   * over {@code loops} (the API verticles' contexts), and runs a first statement on each; completes with how many
   * were opened and never fails (a cold pool still works). The pool lends a request a free connection of the
   * request's own event loop first and, while below db.poolSize, opens a new one rather than lend another loop's:
   * left to grow on demand, the first requests of every loop pay for their connections (connect, a new server
   * process, its first statement: 30 to 60 ms for the user overview). Every connection is held until the last is
   * open, else the pool would lend one again instead of opening one; they open one at a time, so that none waits in
   * the pool's queue for longer than its own connect.
   */
  public Future<Integer> open(List<Context> loops) {
    return openHeld(loops, new ArrayList<>())
      .compose(opened -> Future.join(opened.stream().map(Database::firstStatement).toList())
        .transform(ran -> Future.succeededFuture(opened.size())));
  }

  private Future<List<SqlConnection>> openHeld(List<Context> loops, List<SqlConnection> held) {
    if (held.size() == poolSize || loops.isEmpty()) {
      return Future.succeededFuture(held);
    }
    Promise<SqlConnection> opened = Promise.promise();
    loops.get(held.size() % loops.size()).runOnContext(v -> pool.getConnection().onComplete(opened));
    return opened.future().compose(connection -> {
      held.add(connection);
      return openHeld(loops, held);
    }, failure -> {
      LOG.warn("Opened {} of the pool's {} connections ahead of the first requests, then: {}", held.size(), poolSize,
        Causes.rootMessage(failure));
      return Future.succeededFuture(held);
    });
  }

  /**
   * A new server process reads the catalog on its first statement, and the client's extended-query path is cold:
   * both paid here rather than in a request. Returns the connection to the pool whatever the outcome.
   */
  private static Future<Void> firstStatement(SqlConnection connection) {
    return connection.preparedQuery(SqlQueries.WARM_UP).execute(Tuple.of(0L, 0.0)).<Void>mapEmpty()
      .eventually(connection::close);
  }

  public int poolSize() {
    return poolSize;
  }

  /**
   * Runs statements in one transaction, with {@link #run}'s timeout, and a 503 that says whether the write may
   * have happened: given up before COMMIT, the transaction rolls back and its statement is cancelled on the server.
   */
  public <T> Future<T> write(Function<SqlConnection, Future<T>> statements) {
    WriteAttempt attempt = new WriteAttempt();
    return pool.withTransaction(conn -> attempt.begin(conn).compose(begun -> statements.apply(conn)).compose(attempt::commit))
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .recover(attempt::translate);
  }

  /**
   * The readiness check "db": one round trip, DOWN with the reason when it fails or takes longer than 800 ms.
   * The 800 ms are timed where the check is asked (the admin's own Vert.x): the pool's answer comes on its
   * connection's event loop, and a timer there would wait out the very stall the probe is asked about.
   */
  public void checkHealth(Promise<Status> promise) {
    long limitMs = Math.min(timeoutMs, HEALTH_CHECK_MAX_MS);
    Context asking = Vertx.currentContext();
    Vertx timers = asking == null ? vertx : asking.owner();
    long timer = timers.setTimer(limitMs, fired -> promise.tryComplete(down("no answer within " + limitMs + " ms")));
    pool.query("SELECT 1").execute()
      .onComplete(done -> {
        timers.cancelTimer(timer);
        promise.tryComplete(done.succeeded() ? Status.OK(new JsonObject().put("database", describe()))
          : down(String.valueOf(done.cause().getMessage())));
      });
  }

  private Status down(String reason) {
    return Status.KO(new JsonObject().put("database", describe()).put("reason", reason));
  }

  private String describe() {
    return (embedded == null ? "external " : "embedded ") + target;
  }

  public ConnectionSettings target() {
    return target;
  }

  /** The embedded server, when loopscope runs its own. */
  public Optional<EmbeddedDatabase> embedded() {
    return Optional.ofNullable(embedded);
  }

  public int timeoutMs() {
    return timeoutMs;
  }

  /** Closes the pool, then stops the embedded server (blocking, so on a worker thread). */
  public Future<Void> close(Vertx vertx) {
    return pool.close().eventually(() -> embedded == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      embedded.close();
      return null;
    }));
  }
}
