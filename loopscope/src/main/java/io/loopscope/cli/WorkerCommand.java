package io.loopscope.cli;

import io.loopscope.config.ConfigException;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.config.NodeRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code loopscope worker}: joins the cluster and runs only the legacy JDBC workers (legacy.instances of
 * them, on db.url) and the admin server; API nodes reach them at the same event-bus address. A worker
 * always joins the cluster, and needs a database of its own to point at: it never starts an embedded one.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
  description = "Join the cluster and serve legacy.users.get from legacy JDBC workers; admin on admin.port.")
public final class WorkerCommand implements Callable<Integer> {

  @Mixin
  ConfigFileOption config;

  @Override
  public Integer call() {
    return ServiceRun.untilStopped(workerConfig(config.load()), NodeRole.WORKER);
  }

  /** The cluster on, whatever the file says; a worker without workers or without an external database is a mistake. */
  public static LoopscopeConfig workerConfig(LoopscopeConfig loaded) {
    if (loaded.db().url().isEmpty() && loaded.db().urlFile().isEmpty()) {
      throw new ConfigException("db.url", "a worker needs an external database (db.url or db.urlFile)");
    }
    if (loaded.legacy().instances() == 0) {
      throw new ConfigException("legacy.instances", "a worker needs at least one legacy worker");
    }
    return loaded.with(Map.of("cluster.enabled", true));
  }
}
