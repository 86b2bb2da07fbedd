package io.loopscope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A newcomer's path through the docs: every relative link in README.md and docs/ leads to a file and, with a #, to a heading in it. */
class DocsLinksTest {

  static final Path README = Path.of("README.md");
  static final Path DOCS = Path.of("docs");
  private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  /** README.md and docs/, and the other pages a newcomer reaches from them. */
  static Stream<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    for (Path dir : List.of(Path.of(""), DOCS, Path.of("k8s"), Path.of("perf"))) {
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(DocsLinksTest::isMarkdown).map(file -> dir.resolve(file.getFileName())).sorted().forEach(pages::add);
      }
    }
    assertThat(pages).contains(README, DOCS.resolve("loopwatch.md"));
    return pages.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pages")
  void every_relative_link_resolves_to_a_file_and_a_heading(Path page) {
    Markdown markdown = Markdown.read(page);
    assertThat(brokenLinks(markdown)).as("broken links in %s", page).isEmpty();
  }

  @Test
  void the_readme_maps_every_page_of_docs() throws IOException {
    List<String> linked = Markdown.read(README).links().stream().map(Markdown.Link::target).toList();
    try (Stream<Path> docs = Files.list(DOCS)) {
      List<String> pages = docs.filter(DocsLinksTest::isMarkdown).map(page -> "docs/" + page.getFileName()).sorted().toList();
      assertThat(pages).isNotEmpty();
      assertThat(linked).as("README.md's links").containsAll(pages);
    }
  }

  @Test
  void a_broken_file_or_anchor_is_caught(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("other.md"), "# Other page\n\n## `loopscope bench`: a load generator\n");
    Path page = dir.resolve("page.md");
    Files.writeString(page, String.join("\n",
      "# A page",
      "## The article's routes (Java 21+)",
      "[ok](other.md#loopscope-bench-a-load-generator) [ok](#the-articles-routes-java-21) [ok](other.md)",
      "[missing file](nope.md) [missing anchor](other.md#nope) ![missing image](nope.png) [missing here](#nope)",
      "`[not a link](inside-code.md)` [external](https://example.org/nope)",
      "```bash",
      "# a comment, not a heading; [not a link](inside-a-fence.md)",
      "```"));
    assertThat(brokenLinks(Markdown.read(page)))
      .containsExactly("nope.md (line 4)", "other.md#nope (line 4)", "nope.png (line 4)", "#nope (line 4)");
  }

  @Test
  void anchors_follow_githubs_rules() {
    assertThat(Markdown.slug("PostgreSQL: the user overview (the article's io_bound_handler)"))
      .isEqualTo("postgresql-the-user-overview-the-articles-io_bound_handler");
    assertThat(Markdown.slug("Known limits of Vert.x 5.0.7, shown rather than hidden"))
      .isEqualTo("known-limits-of-vertx-507-shown-rather-than-hidden");
    assertThat(Markdown.slug("Operations: Kubernetes, shutdown, metrics, logs, image")).isEqualTo("operations-kubernetes-shutdown-metrics-logs-image");
    assertThat(Markdown.slug("Watch it catch /bad-example in 60 seconds")).isEqualTo("watch-it-catch-bad-example-in-60-seconds");
  }

  private static List<String> brokenLinks(Markdown markdown) {
    Path page = markdown.file().toAbsolutePath().normalize();
    Path dir = page.getParent();
    Path repository = page.startsWith(ROOT) ? ROOT : dir;
    List<String> broken = new ArrayList<>();
    for (Markdown.Link link : markdown.links()) {
      String target = link.target();
      if (target.isEmpty() || SCHEME.matcher(target).find() || target.startsWith("//")) {
        continue;
      }
      int hash = target.indexOf('#');
      String file = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
      String anchor = hash < 0 ? null : target.substring(hash + 1);
      Path resolved = file.isEmpty() ? page : dir.resolve(file).normalize();
      boolean ok = !file.startsWith("/") && resolved.startsWith(repository) && Files.exists(resolved)
        && (anchor == null || isMarkdown(resolved) && Markdown.read(resolved).anchors().contains(anchor));
      if (!ok) {
        broken.add(target + " (line " + link.line() + ")");
      }
    }
    return broken;
  }

  private static boolean isMarkdown(Path file) {
    return Files.isRegularFile(file) && file.getFileName().toString().endsWith(".md");
  }
}
