package io.loopscope.config;
import java.util.Locale;

/** What a loopscope process runs: the whole service ({@code serve}) or only legacy workers on the cluster ({@code worker}). */
public enum NodeRole {
  API, WORKER;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
