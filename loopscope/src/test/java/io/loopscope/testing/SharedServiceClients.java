package io.loopscope.testing;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own Vert.x instance with clients of the shared service's API and admin ports, opened before
 * its tests and closed after them: {@code @RegisterExtension static final SharedServiceClients service = new SharedServiceClients();}.
 */
public final class SharedServiceClients implements BeforeAllCallback, AfterAllCallback {

  private Vertx vertx;
  private WebClient api;
  private WebClient admin;

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    api = TestService.shared().apiClient(vertx);
    admin = TestService.shared().adminClient(vertx);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    vertx.close().await();
  }

  public Vertx vertx() {
    return vertx;
  }

  public WebClient api() {
    return api;
  }

  public WebClient admin() {
    return admin;
  }
}
