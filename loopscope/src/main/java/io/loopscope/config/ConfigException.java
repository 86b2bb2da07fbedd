package io.loopscope.config;

/** An invalid configuration: names the key and the problem, and carries no stack trace. */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem, null, false, false);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
