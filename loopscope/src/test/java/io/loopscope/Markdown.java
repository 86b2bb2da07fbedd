package io.loopscope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parts of a Markdown page the docs tests check: headings (with GitHub's anchors), links and fenced blocks. */
record Markdown(Path file, List<Heading> headings, List<Link> links, List<Fence> fences) {

  record Heading(int level, String text, String anchor, int line) {}

  record Link(String target, int line) {}

  /** A fenced code block; {@code section} is the text of the nearest level-2 heading above it. */
  record Fence(String info, String content, String section, int line) {}

  private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})\\s*([^`\\s]*).*$");
  private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
  private static final Pattern INLINE_LINK = Pattern.compile("!?\\[((?:[^\\[\\]]|\\[[^\\]]*\\])*)\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
  private static final Pattern HTML_LINK = Pattern.compile("(?:href|src)=\"([^\"]*)\"");
  // github-slugger: keep letters, marks, numbers, connector punctuation (the underscore), spaces and hyphens
  private static final Pattern NOT_IN_SLUG = Pattern.compile("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]");

  static Markdown read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Heading> headings = new ArrayList<>();
    List<Link> links = new ArrayList<>();
    List<Fence> fences = new ArrayList<>();
    Map<String, Integer> anchorsSeen = new HashMap<>();
    String section = "";
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher fence = FENCE.matcher(line);
      if (fence.matches()) {
        String marker = fence.group(1);
        int start = i;
        StringBuilder content = new StringBuilder();
        for (i++; i < lines.size() && !closes(lines.get(i), marker); i++) {
          content.append(lines.get(i)).append('\n');
        }
        fences.add(new Fence(fence.group(2), content.toString(), section, start + 1));
        continue;
      }
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        int level = heading.group(1).length();
        String text = plainText(heading.group(2));
        headings.add(new Heading(level, text, uniqueAnchor(slug(text), anchorsSeen), i + 1));
        if (level <= 2) {
          section = text;
        }
      }
      String withoutCode = CODE_SPAN.matcher(line).replaceAll(" ");
      for (Pattern pattern : List.of(INLINE_LINK, REFERENCE_DEFINITION, HTML_LINK)) {
        Matcher link = pattern.matcher(withoutCode);
        while (link.find()) {
          links.add(new Link(link.group(link.groupCount()), i + 1));
        }
      }
    }
    return new Markdown(file, headings, links, fences);
  }

  Set<String> anchors() {
    Set<String> anchors = new LinkedHashSet<>();
    headings.forEach(heading -> anchors.add(heading.anchor()));
    return anchors;
  }

  /** The anchor GitHub gives a heading with this (rendered) text. */
  static String slug(String text) {
    return NOT_IN_SLUG.matcher(text.trim().toLowerCase(Locale.ROOT)).replaceAll("").replace(' ', '-');
  }

  private static String uniqueAnchor(String slug, Map<String, Integer> seen) {
    int count = seen.merge(slug, 1, Integer::sum) - 1;
    return count == 0 ? slug : slug + "-" + count;
  }

  /** A heading as GitHub renders it: code spans and links reduced to their text, emphasis marks gone. */
  private static String plainText(String markdown) {
    StringBuilder text = new StringBuilder();
    Matcher code = CODE_SPAN.matcher(markdown);
    int end = 0;
    while (code.find()) {
      text.append(withoutInlineMarkup(markdown.substring(end, code.start()))).append(code.group(2).strip());
      end = code.end();
    }
    return text.append(withoutInlineMarkup(markdown.substring(end))).toString();
  }

  private static String withoutInlineMarkup(String markdown) {
    return INLINE_LINK.matcher(markdown).replaceAll(link -> Matcher.quoteReplacement(link.group(1))).replace("*", "");
  }

  private static boolean closes(String line, String marker) {
    String trimmed = line.strip();
    return trimmed.length() >= marker.length() && trimmed.chars().allMatch(c -> c == marker.charAt(0));
  }
}
