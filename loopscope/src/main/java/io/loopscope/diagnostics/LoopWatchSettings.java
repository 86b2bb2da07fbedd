package io.loopscope.diagnostics;

import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.loopwatch.LoopWatchOptions;

import java.util.List;

/**
 * loopscope's LoopWatch options, from its config: the {@code diagnostics.*} thresholds, our own package as the
 * application's (a culprit is a frame of ours), {@code loopscope} as the metric prefix, so the series keep the
 * names dashboards and alerts know ({@code loopscope_eventloop_lag_seconds}, ...), and the admin path of the reports.
 */
public final class LoopWatchSettings {

  public static final String METRIC_PREFIX = "loopscope";
  public static final List<String> APPLICATION_PACKAGES = List.of("io.loopscope.");
  /** Where the admin server serves LoopWatch's reports, named in each stall's WARN line. */
  public static final String REPORTS_PATH = "/diagnostics/blocked";

  private LoopWatchSettings() {
  }

  public static LoopWatchOptions of(LoopscopeConfig config) {
    return of(config.diagnostics()).setTraced(config.tracing().enabled());
  }

  public static LoopWatchOptions of(LoopscopeConfig.Diagnostics diagnostics) {
    return new LoopWatchOptions()
      .setEnabled(diagnostics.enabled())
      .setBlockThresholdMs(diagnostics.blockThresholdMs())
      .setCheckIntervalMs(diagnostics.checkIntervalMs())
      .setWorkerBlockThresholdMs(diagnostics.workerBlockThresholdMs())
      .setMaxReports(diagnostics.maxReports())
      .setReadyMaxStallMs(diagnostics.readyMaxStallMs())
      .setLiveMaxStallMs(diagnostics.liveMaxStallMs())
      .setQueueThresholdMs(diagnostics.queueThresholdMs())
      .setBusyWarnMs(diagnostics.busyWarnMs())
      .setRepeatedStalls(diagnostics.repeatedStalls())
      .setApplicationPackages(APPLICATION_PACKAGES)
      .setMetricPrefix(METRIC_PREFIX)
      .setReportsPath(REPORTS_PATH);
  }
}
