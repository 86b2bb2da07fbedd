package io.loopscope.testing;

import java.util.concurrent.TimeoutException;
import io.loopscope.config.ConfigLoader;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.app.RunningService;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole loopscope in this JVM, on loopback ports the OS picks, with an ephemeral embedded database.
 * {@link #shared()} is one instance for every test class that only reads; a test that changes
 * the service's state (stops its database, blocks its loops on purpose) starts its own.
 */
public final class TestService implements AutoCloseable {

  private static TestService shared;

  private final RunningService service;

  private TestService(RunningService service) {
    this.service = service;
  }

  /** Loopback, OS-chosen ports, throwaway data. */
  public static Map<String, Object> testDefaults() {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("http.host", "127.0.0.1");
    overrides.put("http.port", 0);
    overrides.put("admin.host", "127.0.0.1");
    overrides.put("admin.port", 0);
    overrides.put("upstream.host", "127.0.0.1");
    overrides.put("upstream.port", 0);
    overrides.put("db.embedded.ephemeral", true);
    return overrides;
  }

  public static LoopscopeConfig config(Map<String, ?> overrides) {
    Map<String, Object> all = testDefaults();
    all.putAll(overrides);
    return ConfigLoader.defaultsWith(all);
  }

  /** Starts a service of its own; close it when done. Call from the test thread, never from an event loop. */
  public static TestService start(Map<String, ?> overrides) {
    try {
      return new TestService(RunningService.start(config(overrides)).await(120, TimeUnit.SECONDS));
    } catch (TimeoutException e) {
      throw new IllegalStateException("loopscope did not start within 120 s", e);
    }
  }

  /** One service for the whole test run, with the defaults above; closed when the JVM exits. */
  public static synchronized TestService shared() {
    if (shared == null) {
      shared = start(Map.of());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> shared.service.stop().await()));
    }
    return shared;
  }

  public RunningService service() {
    return service;
  }

  public int apiPort() {
    return service.apiPort();
  }

  public int adminPort() {
    return service.adminPort();
  }

  /** A client for the API port with room for many concurrent requests. */
  public WebClient apiClient(Vertx vertx) {
    return client(vertx, apiPort());
  }

  public WebClient adminClient(Vertx vertx) {
    return client(vertx, adminPort());
  }

  public static WebClient client(Vertx vertx, int port) {
    return WebClient.create(vertx,
      new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(1000));
  }

  @Override
  public void close() {
    service.stop().await();
  }
}
