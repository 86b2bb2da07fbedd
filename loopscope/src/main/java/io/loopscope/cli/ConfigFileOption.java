package io.loopscope.cli;

import io.loopscope.config.ConfigLoader;
import io.loopscope.config.LoopscopeConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** The {@code --config FILE} option of the commands that run a node ({@code serve}, {@code worker}). */
final class ConfigFileOption {

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (default: conf/loopscope.yaml when present)")
  Path configFile;

  LoopscopeConfig load() {
    return ConfigLoader.load(Optional.ofNullable(configFile));
  }
}
