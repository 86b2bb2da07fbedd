package io.loopscope.config;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import org.slf4j.LoggerFactory;

import java.net.URL;

/**
 * Applies {@code log.format} to the shipped logback.xml, which includes {@code logging/text.xml} or
 * {@code logging/json.xml}. Logback starts before the configuration is read and goes by
 * LOOPSCOPE_LOG_FORMAT; when log.format says otherwise (the YAML file, a system property), logback.xml
 * is loaded again with the other one. A logback configuration of the operator's own is left alone.
 */
public final class LogFormat {

  static final String FORMAT_PROPERTY = "logFormat";
  /** Set by logback.xml: the shipped configuration is the one in use. */
  static final String REQUESTED_PROPERTY = "logFormatRequested";
  /** Set by the included file that was found. */
  static final String APPLIED_PROPERTY = "logFormatApplied";

  private LogFormat() {
  }

  /** The format of the shipped configuration when it is the one in use ("text" or "json"), else null. */
  public static String shipped() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context && context.getProperty(REQUESTED_PROPERTY) != null) {
      return context.getProperty(APPLIED_PROPERTY);
    }
    return null;
  }

  public static void apply(String format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)
      || context.getProperty(REQUESTED_PROPERTY) == null || format.equals(context.getProperty(APPLIED_PROPERTY))) {
      return;
    }
    URL source = ConfigurationWatchListUtil.getMainWatchURL(context);
    if (source == null) {
      return;
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    context.reset();
    context.putProperty(FORMAT_PROPERTY, format);
    try {
      configurator.doConfigure(source);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot reload " + source, e);
    }
  }
}
