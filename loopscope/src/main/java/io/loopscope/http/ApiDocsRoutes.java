package io.loopscope.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/** The API contract ({@code /openapi.yaml}) and Swagger UI ({@code /docs}) from its webjar: no CDN. */
public final class ApiDocsRoutes {

  /** Static assets under these prefixes are not API routes, so the contract does not list them. */
  public static final String ASSETS = "/docs/assets/";

  private final Buffer contract;
  private final Buffer docsPage;
  private final String swaggerUiRoot;

  /**
   * @param contract the OpenAPI document served as-is
   * @param docsPage the Swagger UI page that points at the contract
   * @param swaggerUiRoot the classpath folder of the swagger-ui webjar
   */
  public ApiDocsRoutes(Buffer contract, Buffer docsPage, String swaggerUiRoot) {
    this.contract = contract;
    this.docsPage = docsPage;
    this.swaggerUiRoot = swaggerUiRoot;
  }

  /** Serves an OpenAPI document as-is (the admin port serves its own with this too). */
  static Handler<RoutingContext> yaml(Buffer document) {
    return ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8").end(document);
  }

  public void mount(Router router, String contractPath) {
    router.get(contractPath).handler(yaml(contract));
    router.get("/docs").handler(ctx -> ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").end(docsPage));
    router.get(ASSETS + "*").handler(StaticHandler.create(swaggerUiRoot).setCachingEnabled(true));
  }
}
