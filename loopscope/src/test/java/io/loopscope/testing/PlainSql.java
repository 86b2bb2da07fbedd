package io.loopscope.testing;

import io.loopscope.db.ConnectionSettings;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain JDBC against a running service's database: what the API answers is checked against this. Test thread only. */
public final class PlainSql {

  private PlainSql() {
  }

  public static List<Map<String, Object>> query(TestService service, String sql, Object... args) {
    return query(service.service().main().database().target(), sql, args);
  }

  /** Against any PostgreSQL, e.g. the embedded one of a service running as a child process. */
  public static List<Map<String, Object>> query(ConnectionSettings target, String sql, Object... args) {
    try (Connection connection = DriverManager.getConnection(target.jdbcUrl(5_000), target.jdbcSession(10_000, 5_000));
         PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        ResultSetMetaData meta = rows.getMetaData();
        List<Map<String, Object>> out = new ArrayList<>();
        while (rows.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int c = 1; c <= meta.getColumnCount(); c++) {
            row.put(meta.getColumnLabel(c), rows.getObject(c));
          }
          out.add(row);
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("plain SQL failed: " + sql, e);
    }
  }

  public static long count(TestService service, String table) {
    return ((Number) query(service, "SELECT count(*) AS n FROM " + table).get(0).get("n")).longValue();
  }
}
