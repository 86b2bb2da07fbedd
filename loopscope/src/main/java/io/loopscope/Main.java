package io.loopscope;

import io.loopscope.core.BuildInfo;
import io.loopscope.config.ConfigException;
import io.loopscope.cli.ServeCommand;
import io.loopscope.core.StartupException;
import io.loopscope.cli.BaselineCommand;
import io.loopscope.cli.BenchCommand;
import io.loopscope.cli.DemoCommand;
import io.loopscope.cli.WorkerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The loopscope command line: {@code serve} (the default), {@code worker}, {@code bench}, {@code demo} and {@code baseline}. */
@Command(name = "loopscope", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
  description = "Event-loop concurrency on Vert.x: async endpoints, isolated blocking and CPU work, blocked-loop diagnostics.",
  subcommands = {ServeCommand.class, WorkerCommand.class, BenchCommand.class, DemoCommand.class, BaselineCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;
  private static final Set<String> TOP_LEVEL_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code: 0 done, 1 failed, 2 bad usage or configuration. */
  public static int run(String... args) {
    CommandLine commandLine = new CommandLine(new Main())
      .setExecutionExceptionHandler(Main::handleFailure);
    return commandLine.execute(withDefaultCommand(commandLine, args));
  }

  /** No subcommand means {@code serve}: {@code loopscope --config f.yaml} is {@code loopscope serve --config f.yaml}. */
  static String[] withDefaultCommand(CommandLine commandLine, String[] args) {
    boolean named = args.length > 0 && (commandLine.getSubcommands().containsKey(args[0]) || TOP_LEVEL_OPTIONS.contains(args[0]));
    return named ? args : Stream.concat(Stream.of("serve"), List.of(args).stream()).toArray(String[]::new);
  }

  private static int handleFailure(Exception failure, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (failure instanceof ConfigException) {
      err.println("loopscope: invalid configuration: " + failure.getMessage());
      return EXIT_USAGE;
    }
    if (failure instanceof StartupException) {
      err.println("loopscope: cannot start: " + failure.getMessage());
      return EXIT_FAILURE;
    }
    err.println("loopscope: " + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()));
    return EXIT_FAILURE;
  }

  @Override
  public void run() {
    // unreachable: withDefaultCommand always names a subcommand
    throw new CommandLine.ParameterException(new CommandLine(this), "Missing command");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"loopscope " + BuildInfo.version()};
    }
  }
}
