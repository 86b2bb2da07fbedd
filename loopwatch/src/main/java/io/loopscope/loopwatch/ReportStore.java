package io.loopscope.loopwatch;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The most recent stall reports, newest first, at most {@code diagnostics.maxReports}; and the report ids. */
final class ReportStore {

  private final int maxReports;
  private final Deque<BlockedReport> recent = new ArrayDeque<>();
  private final AtomicLong ids = new AtomicLong();

  ReportStore(int maxReports) {
    this.maxReports = maxReports;
  }

  AtomicLong ids() {
    return ids;
  }

  synchronized void add(BlockedReport report) {
    recent.addFirst(report);
    while (recent.size() > maxReports) {
      recent.removeLast();
    }
  }

  /** The most recent reports first, at most {@code limit}, only those whose route is {@code route} when given. */
  synchronized List<BlockedReport> reports(int limit, String route) {
    return recent.stream().filter(report -> route == null || route.equals(report.work().name())).limit(limit).toList();
  }

  /** Stalls reported since start (a reset forgets the reports, not this count). */
  long count() {
    return ids.get();
  }

  synchronized void clear() {
    recent.clear();
  }
}
