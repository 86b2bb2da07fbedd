package io.loopscope.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compares an OpenAPI contract with what a running router enforces, operation by operation: each
 * parameter's name, location, type, required, minimum, maximum, default, enum, minLength, maxLength and pattern
 * (from the route's {@link Validation}), and each request body's byte limit (from its {@link BodyLimit}). Returns
 * one line per disagreement, so an empty list means they agree.
 */
final class ContractCheck {

  /** The schema keywords compared above, and the ones that bound nothing; any other is reported, not skipped. */
  private static final Set<String> COMPARED = Set.of("type", "minimum", "maximum", "default", "enum", "minLength", "maxLength",
    "pattern", "format", "description", "example");

  private final Map<String, Object> contract;

  ContractCheck(Map<String, Object> contract) {
    this.contract = contract;
  }

  /** What one route enforces, read from its own handlers. */
  record Enforced(List<Validation.Spec> parameters, Optional<BodyLimit> body) {
  }

  /** "GET /tasks/{id}" -> what that route enforces, for every route with a path and methods. */
  static Map<String, Enforced> enforced(Iterable<Route> routes) {
    Map<String, Enforced> operations = new TreeMap<>();
    for (Route route : routes) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue;
      }
      List<Validation.Spec> parameters = new ArrayList<>();
      Optional<BodyLimit> body = Optional.empty();
      for (Handler<RoutingContext> handler : handlersOf(route)) {
        if (handler instanceof Validation validation) {
          parameters.addAll(validation.specs());
        } else if (handler instanceof BodyLimit limit) {
          body = Optional.of(limit);
        }
      }
      String template = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      for (var method : route.methods()) {
        operations.put(method.name() + " " + template, new Enforced(List.copyOf(parameters), body));
      }
    }
    return operations;
  }

  /**
   * A route's handlers. vertx-web keeps them in the route's state, which it does not expose (RouteImpl.state()
   * is package-private): read it reflectively here, in the test alone, rather than keep a second list in the product.
   */
  @SuppressWarnings("unchecked")
  private static List<Handler<RoutingContext>> handlersOf(Route route) {
    try {
      Method state = route.getClass().getDeclaredMethod("state");
      state.setAccessible(true);
      Object routeState = state.invoke(route);
      Method handlers = routeState.getClass().getDeclaredMethod("getContextHandlers");
      handlers.setAccessible(true);
      return (List<Handler<RoutingContext>>) handlers.invoke(routeState);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read the handlers of " + route.getPath() + " (vertx-web internals changed?)", e);
    }
  }

  /** Every disagreement between the contract and these routes, for the operations both know. */
  List<String> mismatches(Map<String, Enforced> routes) {
    List<String> found = new ArrayList<>();
    operations().forEach((operation, spec) -> {
      Enforced enforced = routes.get(operation);
      if (enforced != null) {
        compareParameters(operation, parameters(spec), enforced.parameters(), found);
        compareBody(operation, spec, enforced.body(), found);
      }
    });
    return found;
  }

  /** "GET /tasks" -> that operation, its path item's parameters merged into its own. */
  @SuppressWarnings("unchecked")
  Map<String, Map<String, Object>> operations() {
    Map<String, Map<String, Object>> operations = new TreeMap<>();
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) contract.get("paths");
    paths.forEach((path, item) -> item.forEach((method, operation) -> {
      if (operation instanceof Map<?, ?> map && map.containsKey("responses")) {
        Map<String, Object> op = (Map<String, Object>) map;
        Map<String, Object> merged = new TreeMap<>(op);
        List<Object> all = new ArrayList<>((List<Object>) item.getOrDefault("parameters", List.of()));
        all.addAll((List<Object>) op.getOrDefault("parameters", List.of()));
        merged.put("parameters", all);
        operations.put(method.toUpperCase(Locale.ROOT) + " " + path, merged);
      }
    }));
    return operations;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> parameters(Map<String, Object> operation) {
    Map<String, Map<String, Object>> byName = new TreeMap<>();
    for (Object parameter : (List<Object>) operation.get("parameters")) {
      Map<String, Object> resolved = (Map<String, Object>) resolve(parameter);
      byName.put(resolved.get("name") + " in " + resolved.get("in"), resolved);
    }
    return byName;
  }

  @SuppressWarnings("unchecked")
  private void compareParameters(String operation, Map<String, Map<String, Object>> documented, List<Validation.Spec> enforced,
                                 List<String> found) {
    Map<String, Validation.Spec> byName = new TreeMap<>();
    enforced.forEach(spec -> byName.put(spec.name() + " in " + spec.in(), spec));
    if (!documented.keySet().equals(byName.keySet())) {
      found.add(operation + ": parameters " + documented.keySet() + " documented, " + byName.keySet() + " enforced");
    }
    byName.forEach((key, spec) -> {
      Map<String, Object> doc = documented.get(key);
      if (doc == null) {
        return;
      }
      Map<String, Object> schema = (Map<String, Object>) doc.getOrDefault("schema", Map.of());
      String where = operation + " " + key;
      same(where, "type", schema.get("type"), spec.type(), found);
      same(where, "required", Boolean.TRUE.equals(doc.get("required")), spec.required(), found);
      same(where, "minimum", number(schema.get("minimum")), spec.minimum(), found);
      same(where, "maximum", number(schema.get("maximum")), spec.maximum(), found);
      same(where, "default", schema.get("default"), spec.defaultValue(), found);
      same(where, "enum", schema.get("enum"), spec.allowed(), found);
      same(where, "minLength", number(schema.get("minLength")), spec.minLength() == null ? null : spec.minLength().longValue(), found);
      same(where, "maxLength", number(schema.get("maxLength")), spec.maxLength() == null ? null : spec.maxLength().longValue(), found);
      same(where, "pattern", schema.get("pattern"), spec.pattern(), found);
      schema.keySet().stream().filter(keyword -> !COMPARED.contains(keyword))
        .forEach(keyword -> found.add(where + ": " + keyword + " documented, which this check does not compare"));
    });
  }

  private void compareBody(String operation, Map<String, Object> spec, Optional<BodyLimit> enforced, List<String> found) {
    Object body = spec.get("requestBody");
    if ((body != null) != enforced.isPresent()) {
      found.add(operation + ": request body " + (body != null ? "documented" : "not documented") + " but "
        + (enforced.isPresent() ? "read" : "not read"));
      return;
    }
    if (body instanceof Map<?, ?> documented && enforced.isPresent()) {
      same(operation + " body", "x-maxBytes", number(documented.get("x-maxBytes")), enforced.get().maxBytes(), found);
      same(operation + " body", "x-maxBytesKey", documented.get("x-maxBytesKey"), enforced.get().key(), found);
    }
  }

  /** A {@code $ref: '#/components/...'} followed to what it names; anything else as it is. */
  @SuppressWarnings("unchecked")
  Object resolve(Object node) {
    if (node instanceof Map<?, ?> map && map.get("$ref") instanceof String ref && ref.startsWith("#/")) {
      Object target = contract;
      for (String part : ref.substring(2).split("/")) {
        target = ((Map<String, Object>) target).get(part);
      }
      return resolve(target);
    }
    return node;
  }

  private static Long number(Object value) {
    return value instanceof Number n ? n.longValue() : null;
  }

  private static void same(String where, String what, Object documented, Object enforced, List<String> found) {
    Object doc = documented instanceof Number n && enforced instanceof Number ? (Object) n.longValue() : documented;
    Object enf = enforced instanceof Number n && documented instanceof Number ? (Object) n.longValue() : enforced;
    if (!Objects.equals(doc, enf)) {
      found.add(where + ": " + what + " documented " + documented + ", enforced " + enforced);
    }
  }
}
