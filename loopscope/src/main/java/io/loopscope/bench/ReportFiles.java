package io.loopscope.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the JSON and HTML reports a run asked for, and says where they went. */
public final class ReportFiles {

  private ReportFiles() {
  }

  /** Either file may be null (not asked for). */
  public static void save(PrintWriter out, JsonObject report, Path jsonFile, Path htmlFile) {
    if (jsonFile != null) {
      write(jsonFile, report.encodePrettily() + "\n");
      out.println("JSON report: " + jsonFile);
    }
    if (htmlFile != null) {
      write(htmlFile, HtmlReport.render(report));
      out.println("HTML report: " + htmlFile);
    }
    out.flush();
  }

  static void write(Path file, String content) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new BenchException("cannot write " + file + ": " + e.getMessage());
    }
  }
}
