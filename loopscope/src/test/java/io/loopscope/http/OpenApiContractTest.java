package io.loopscope.http;

import io.loopscope.config.LoopscopeConfig;
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

/**
 * openapi.yaml and the router describe the same API: no route without a contract entry, no entry without a
 * route, and every parameter and body limit the same on both sides.
 */
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

  @Test
  void every_api_operation_documents_the_parameters_and_body_limit_its_route_enforces() throws IOException {
    ApiVerticle api = TestService.shared().service().main().apiVerticles().get(0);
    ContractCheck check = new ContractCheck(contract(ApiVerticle.CONTRACT));
    assertThat(check.mismatches(ContractCheck.enforced(api.router().getRoutes()))).as("contract vs router").isEmpty();
  }

  @Test
  void every_admin_operation_documents_the_parameters_its_route_enforces() throws IOException {
    AdminVerticle admin = TestService.shared().service().main().admin();
    ContractCheck check = new ContractCheck(contract(AdminVerticle.CONTRACT));
    assertThat(check.mismatches(ContractCheck.enforced(admin.router().getRoutes()))).as("admin contract vs router").isEmpty();
  }

  @Test
  void a_contract_that_disagrees_with_the_router_is_caught_parameter_by_parameter() throws IOException {
    ApiVerticle api = TestService.shared().service().main().apiVerticles().get(0);
    ContractCheck wrong = new ContractCheck(contract("contract/wrong-openapi.yaml"));
    assertThat(wrong.mismatches(ContractCheck.enforced(api.router().getRoutes()))).containsExactlyInAnyOrder(
      "GET /test/async ms in query: maximum documented 999, enforced 10000",
      "GET /test/sync ordered in query: default documented true, enforced false",
      "GET /tasks state in query: enum documented [queued, done], enforced [queued, running, done, failed]",
      "GET /tasks/{id}: parameters [id in query] documented, [id in path] enforced",
      "POST /process body: x-maxBytes documented 1024, enforced 16777216");
  }

  @Test
  @SuppressWarnings("unchecked")
  void body_item_limits_in_the_contract_are_the_running_service_limits() throws IOException {
    LoopscopeConfig config = TestService.config(Map.of());
    ContractCheck check = new ContractCheck(contract(ApiVerticle.CONTRACT));
    Map<String, Object> process = (Map<String, Object>) check.resolve(
      path(contract(ApiVerticle.CONTRACT), "paths", "/process", "post", "requestBody", "content", "application/json", "schema"));
    Map<String, Object> sort = (Map<String, Object>) check.resolve(Map.of("$ref", "#/components/schemas/SortTaskRequest"));
    Map<String, Object> fetch = (Map<String, Object>) check.resolve(Map.of("$ref", "#/components/schemas/FetchTaskRequest"));
    assertThat(process.get("maxItems")).as("/process maxItems").isEqualTo(config.cpu().maxItems());
    assertThat(path(sort, "properties", "data", "maxItems")).as("sort task data maxItems").isEqualTo(config.cpu().maxItems());
    assertThat(path(fetch, "properties", "n", "maximum")).as("fetch task n").isEqualTo(config.concurrency().maxFanOut());
    assertThat(path(fetch, "properties", "ms", "maximum")).as("fetch task ms").isEqualTo(config.demo().maxDelayMs());
  }

  @SuppressWarnings("unchecked")
  private static Object path(Map<String, Object> node, String... keys) {
    Object at = node;
    for (String key : keys) {
      at = ((Map<String, Object>) at).get(key);
    }
    return at;
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
