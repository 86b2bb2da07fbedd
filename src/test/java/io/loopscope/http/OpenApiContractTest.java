package io.loopscope.http;

import io.loopscope.diagnostics.DiagnosticsRoutes;
import io.loopscope.testing.TestService;
import io.vertx.ext.web.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** openapi.yaml and the router describe the same API: no route without a contract entry, no entry without a route. */
class OpenApiContractTest {

  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

  @SuppressWarnings("unchecked")
  static Map<String, Object> contract(String resource) throws IOException {
    try (InputStream in = OpenApiContractTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource + " on the classpath").isNotNull();
      return new Yaml().load(in);
    }
  }

  /** "GET /users/{id}/overview" for every operation in the contract. */
  @SuppressWarnings("unchecked")
  static Set<String> contractOperations(Map<String, Object> contract) {
    Set<String> operations = new TreeSet<>();
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) contract.get("paths");
    paths.forEach((path, item) -> item.keySet().stream().filter(HTTP_METHODS::contains)
      .forEach(method -> operations.add(method.toUpperCase(Locale.ROOT) + " " + path)));
    return operations;
  }

  /** The same form for every route with a path and methods; `:id` becomes `{id}`. Static asset folders are not operations. */
  static Set<String> routerOperations(Iterable<Route> routes, Set<String> assetPrefixes) {
    Set<String> operations = new TreeSet<>();
    for (Route route : routes) {
      String path = route.getPath();
      if (path == null || route.methods() == null || route.methods().isEmpty()
        || assetPrefixes.stream().anyMatch(path::startsWith)) {
        continue;
      }
      String template = path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      route.methods().forEach(method -> operations.add(method.name() + " " + template));
    }
    return operations;
  }

  @Test
  void every_api_route_is_in_the_contract_and_every_contract_path_is_routed() throws IOException {
    ApiVerticle api = TestService.shared().service().main().apiVerticles().get(0);
    Set<String> routed = routerOperations(api.router().getRoutes(), Set.of(ApiDocsRoutes.ASSETS));
    Set<String> documented = contractOperations(contract(ApiVerticle.CONTRACT));
    assertThat(routed).as("routes and contract").containsExactlyInAnyOrderElementsOf(documented);
  }

  @Test
  void every_admin_route_is_in_the_admin_contract_and_every_admin_contract_path_is_routed() throws IOException {
    AdminVerticle admin = TestService.shared().service().main().admin();
    Set<String> routed = routerOperations(admin.router().getRoutes(), Set.of(DiagnosticsRoutes.ASSETS));
    Set<String> documented = contractOperations(contract(AdminVerticle.CONTRACT));
    assertThat(routed).as("admin routes and admin contract").containsExactlyInAnyOrderElementsOf(documented);
  }

  @ParameterizedTest
  @ValueSource(strings = {ApiVerticle.CONTRACT, AdminVerticle.CONTRACT})
  @SuppressWarnings("unchecked")
  void the_contract_is_openapi_3_1_and_every_operation_has_an_id_and_responses(String resource) throws IOException {
    Map<String, Object> contract = contract(resource);
    assertThat(contract.get("openapi")).asString().startsWith("3.1");
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) contract.get("paths");
    paths.forEach((path, item) -> item.forEach((method, operation) -> {
      if (HTTP_METHODS.contains(method)) {
        Map<String, Object> op = (Map<String, Object>) operation;
        assertThat(op).as(method + " " + path).containsKeys("operationId", "responses", "summary");
      }
    }));
  }
}
