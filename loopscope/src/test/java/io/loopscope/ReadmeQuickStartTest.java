package io.loopscope;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** README.md's quick start, as a newcomer copies it: the two commands first, and every call of the CLI names what the CLI has. */
class ReadmeQuickStartTest {

  static final String RUN = "mvn -B -q package -DskipTests && java -jar target/loopscope.jar";
  static final String TEST = "mvn -B verify";
  private static final String QUICK_START = "Quick start";
  private static final String JAR = "target/loopscope.jar";

  @Test
  void the_quick_start_comes_first_and_opens_with_the_two_commands() {
    Markdown readme = Markdown.read(DocsLinksTest.README);
    Markdown.Heading first = readme.headings().stream().filter(heading -> heading.level() == 2).findFirst().orElseThrow();
    assertThat(first.text()).isEqualTo(QUICK_START);
    assertThat(first.line()).as("the quick start's line").isLessThan(30);
    assertThat(quickStartScripts(readme)).hasSizeGreaterThan(2).first().isEqualTo(RUN + "\n");
    assertThat(quickStartScripts(readme).get(1)).isEqualTo(TEST + "\n");
  }

  @Test
  void ci_runs_exactly_the_readme_test_command() throws IOException {
    List<String> commands = Files.readAllLines(Path.of(".ci", "run")).stream()
      .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    assertThat(commands.get(commands.size() - 1)).isEqualTo(TEST);
  }

  @Test
  void every_command_of_the_cli_in_the_quick_start_parses() {
    List<List<String>> calls = quickStartScripts(Markdown.read(DocsLinksTest.README)).stream()
      .flatMap(script -> simpleCommands(script).stream())
      .map(ReadmeQuickStartTest::cliArguments).flatMap(Optional::stream).toList();
    assertThat(calls).as("calls of the CLI in the quick start").hasSizeGreaterThanOrEqualTo(3);
    List<String> unknown = calls.stream().flatMap(args -> parseError(args).map(error -> args + ": " + error).stream()).toList();
    assertThat(unknown).isEmpty();
  }

  @Test
  void a_subcommand_or_option_the_cli_does_not_have_is_caught() {
    String script = String.join("\n",
      "curl -s 'localhost:9090/diagnostics/blocked?limit=1' | jq . # java -jar " + JAR + " nope",
      "LOOPSCOPE_HTTP_PORT=8081 java -Dx=y -jar " + JAR + " &",
      "java -jar " + JAR + " bench --suite article \\",
      "  --url http://localhost:8080 >/dev/null 2>&1; java -jar " + JAR + " demo --no-such-option",
      "java -jar " + JAR + " bnech 'http://localhost:8080/test/async?ms=0' && java -jar " + JAR + " --config my.yaml");
    List<List<String>> calls = simpleCommands(script).stream().map(ReadmeQuickStartTest::cliArguments).flatMap(Optional::stream).toList();
    assertThat(calls).containsExactly(List.of(), List.of("bench", "--suite", "article", "--url", "http://localhost:8080"),
      List.of("demo", "--no-such-option"), List.of("bnech", "http://localhost:8080/test/async?ms=0"), List.of("--config", "my.yaml"));
    assertThat(calls.stream().map(args -> parseError(args).isPresent()).toList()).containsExactly(false, false, true, true, false);
  }

  private static List<String> quickStartScripts(Markdown readme) {
    return readme.fences().stream()
      .filter(fence -> fence.section().equals(QUICK_START) && fence.info().equals("bash"))
      .map(Markdown.Fence::content).toList();
  }

  /** The arguments after {@code java [options] -jar target/loopscope.jar}, when the command runs the CLI. */
  private static Optional<List<String>> cliArguments(List<String> words) {
    int start = 0;
    while (start < words.size() && words.get(start).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
      start++;
    }
    if (start == words.size() || !words.get(start).equals("java")) {
      return Optional.empty();
    }
    int jar = words.indexOf("-jar");
    return jar > start && jar + 1 < words.size() && words.get(jar + 1).equals(JAR)
      ? Optional.of(words.subList(jar + 2, words.size())) : Optional.empty();
  }

  /** Parses as {@code Main} does, without running anything: the message when picocli rejects the arguments. */
  private static Optional<String> parseError(List<String> args) {
    CommandLine commandLine = new CommandLine(new Main());
    try {
      commandLine.parseArgs(Main.withDefaultCommand(commandLine, args.toArray(String[]::new)));
      return Optional.empty();
    } catch (CommandLine.ParameterException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The simple commands of a bash script, each as its words: quotes removed, comments, redirections and the
   * targets of redirections dropped, split at newlines (but not escaped ones), {@code ; & && | ||}.
   */
  static List<List<String>> simpleCommands(String script) {
    List<List<String>> commands = new ArrayList<>();
    Words words = new Words();
    String text = script.replace("\\\n", " ");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') {
        int end = text.indexOf('\'', i + 1);
        words.append(text.substring(i + 1, end));
        i = end;
      } else if (c == '"') {
        int end = i + 1;
        for (; text.charAt(end) != '"'; end++) {
          if (text.charAt(end) == '\\') {
            end++;
          }
        }
        words.append(text.substring(i + 1, end).replaceAll("\\\\(.)", "$1"));
        i = end;
      } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '(') {
        int end = i + 1;
        for (int depth = 0; ; end++) {
          depth += text.charAt(end) == '(' ? 1 : text.charAt(end) == ')' ? -1 : 0;
          if (depth == 0) {
            break;
          }
        }
        words.append(text.substring(i, end + 1));
        i = end;
      } else if (c == '#' && !words.inWord()) {
        int end = text.indexOf('\n', i);
        i = (end < 0 ? text.length() : end) - 1;
      } else if (c == '\\' && i + 1 < text.length()) {
        words.append(String.valueOf(text.charAt(++i)));
      } else if (c == '\n' || c == ';' || c == '&' || c == '|') {
        words.end();
        if (!words.current().isEmpty()) {
          commands.add(words.current());
        }
        words = new Words();
        if (i + 1 < text.length() && text.charAt(i + 1) == c) {
          i++;
        }
      } else if (c == '>' || c == '<') {
        words.redirect();
        while (i + 1 < text.length() && (text.charAt(i + 1) == '>' || text.charAt(i + 1) == '&')) {
          i++;
        }
        if (text.charAt(i) == '&') {
          while (i + 1 < text.length() && Character.isDigit(text.charAt(i + 1))) {
            i++;
          }
          words.cancelRedirect();
        }
      } else if (Character.isWhitespace(c)) {
        words.end();
      } else {
        words.append(String.valueOf(c));
      }
    }
    words.end();
    if (!words.current().isEmpty()) {
      commands.add(words.current());
    }
    return commands;
  }

  /** The words of one simple command as they are read; the word after a redirection is its target, not a word. */
  private static final class Words {
    private final List<String> done = new ArrayList<>();
    private StringBuilder word;
    private boolean redirectTarget;

    boolean inWord() {
      return word != null;
    }

    void append(String text) {
      word = word == null ? new StringBuilder(text) : word.append(text);
    }

    void end() {
      if (word != null) {
        if (redirectTarget) {
          redirectTarget = false;
        } else {
          done.add(word.toString());
        }
        word = null;
      }
    }

    /** A {@code >} or {@code <}: a word of digits just before it is the descriptor, the next word the target. */
    void redirect() {
      if (word != null && word.chars().allMatch(Character::isDigit)) {
        word = null;
      }
      end();
      redirectTarget = true;
    }

    /** {@code >&1}: the target was a descriptor, already read. */
    void cancelRedirect() {
      redirectTarget = false;
    }

    List<String> current() {
      return done;
    }
  }
}
