package io.loopscope.loopwatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;

/** The no-code attach's work, once {@link LoopWatchServiceProvider} found it switched on. */
final class Attach {

  static final String PORT_PROPERTY = "loopwatch.port";
  static final String HOST_PROPERTY = "loopwatch.host";
  private static final String PREFIX = "loopwatch.";
  private static final Logger LOG = LoggerFactory.getLogger(Attach.class);
  /** The admin Vert.x LoopWatch builds for its port is not watched itself. */
  private static final ThreadLocal<Boolean> BUILDING_OWN = ThreadLocal.withInitial(() -> false);
  private static final AtomicBoolean SERVING = new AtomicBoolean();

  private Attach() {
  }

  static boolean buildingOwn() {
    return BUILDING_OWN.get();
  }

  static boolean dependenciesPresent() {
    try {
      Class.forName("org.slf4j.LoggerFactory", false, Attach.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  static void install(VertxBootstrap builder) {
    VertxMetrics inner = VertxInternals.metricsOf(builder);
    if (inner instanceof WatchedVertxMetrics) {
      return; // the application wired LoopWatch itself (LoopWatch.metricsFactory): one LoopWatch per Vert.x
    }
    LoopWatchOptions options = fromSystemProperties();
    LoopWatch.configure(builder.options(), options);
    if (inner == null) {
      inner = applicationMetrics(builder.options());
    }
    VertxInternals.metrics(builder, new WatchedVertxMetrics(inner, vertx -> start(vertx, options)));
  }

  /**
   * The metrics the application asked for but that were not built yet (vertx-micrometer's provider comes after
   * this one): built here, from the application's own factory, so that it finds them built and keeps them.
   */
  private static VertxMetrics applicationMetrics(VertxOptions options) {
    MetricsOptions metrics = options.getMetricsOptions();
    if (metrics == null || !metrics.isEnabled()) {
      return null;
    }
    for (VertxServiceProvider provider : ServiceLoader.load(VertxServiceProvider.class)) {
      if (provider instanceof VertxMetricsFactory factory) {
        return factory.metrics(options);
      }
    }
    return null;
  }

  private static void start(Vertx vertx, LoopWatchOptions options) {
    LoopWatch watch = new LoopWatch(registry(), options);
    vertx.deployVerticle(watch)
      .onSuccess(id -> LOG.info("LoopWatch attached (-D{}=true): {}", LoopWatchServiceProvider.ENABLED_PROPERTY, options))
      .onSuccess(id -> startServing(watch))
      .onFailure(failure -> LOG.error("LoopWatch did not start", failure));
  }

  /** vertx-micrometer's registry when the application has one, else Micrometer's global registry. */
  private static MeterRegistry registry() {
    try {
      Class<?> registries = Class.forName("io.vertx.micrometer.backends.BackendRegistries");
      Object registry = registries.getMethod("getDefaultNow").invoke(null);
      if (registry instanceof MeterRegistry meters) {
        return meters;
      }
    } catch (ReflectiveOperationException | LinkageError e) {
      // no vertx-micrometer: the global registry it is
    }
    return Metrics.globalRegistry;
  }

  /** Off the event loop: a Vert.x is not built from another's context. */
  private static void startServing(LoopWatch watch) {
    if (System.getProperty(PORT_PROPERTY) != null) {
      Thread starter = new Thread(() -> serve(watch), "loopwatch-routes-start");
      starter.setDaemon(true);
      starter.start();
    }
  }

  /** With {@code -Dloopwatch.port}: the routes on a Vert.x of their own, so they answer while the loops are blocked. */
  private static void serve(LoopWatch watch) {
    String port = System.getProperty(PORT_PROPERTY);
    if (port == null || !SERVING.compareAndSet(false, true)) {
      return;
    }
    Vertx admin;
    BUILDING_OWN.set(true);
    try {
      admin = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    } finally {
      BUILDING_OWN.set(false);
    }
    Router router = Router.router(admin);
    LoopWatchRoutes.mount(router, watch);
    String host = System.getProperty(HOST_PROPERTY, "127.0.0.1");
    admin.createHttpServer().requestHandler(router).listen(Integer.parseInt(port), host)
      .onSuccess(server -> LOG.info("LoopWatch routes at http://{}:{}{}", host, server.actualPort(), LoopWatchRoutes.BASE))
      .onFailure(failure -> LOG.error("LoopWatch's routes could not listen on {}:{}", host, port, failure));
  }

  /** {@code -Dloopwatch.blockThresholdMs=50 -Dloopwatch.applicationPackages=com.acme.,org.acme.}, ... */
  static LoopWatchOptions fromSystemProperties() {
    JsonObject json = new JsonObject();
    JsonObject defaults = new LoopWatchOptions().toJson();
    for (String key : defaults.fieldNames()) {
      String value = System.getProperty(PREFIX + key);
      if (value == null) {
        continue;
      }
      Object kind = defaults.getValue(key);
      if (kind instanceof Integer) {
        json.put(key, Integer.parseInt(value.trim()));
      } else if (kind instanceof Boolean) {
        json.put(key, Boolean.parseBoolean(value.trim()));
      } else if (kind instanceof JsonArray) {
        json.put(key, new JsonArray(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
      } else {
        json.put(key, value);
      }
    }
    return new LoopWatchOptions(json).setEnabled(true);
  }
}
