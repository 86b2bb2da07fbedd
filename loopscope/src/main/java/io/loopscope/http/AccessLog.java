package io.loopscope.http;

import ch.qos.logback.core.encoder.JsonEscapeUtil;
import io.loopscope.concurrency.Elapsed;
import io.loopscope.config.LogFormat;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The access log ({@code log.access}): one line per request, written the way nginx writes a buffered
 * {@code access_log}. Each API instance appends its lines to a buffer of its own, on its event loop: no lock,
 * no logging event, no wake-up of another thread per line. Every {@value #FLUSH_MS} ms, or at
 * {@value #BATCH_CHARS} characters, the buffer is handed to one writer thread, which writes it to stdout in one
 * write. Through Logback's async appender the same line cost 15 % of peak req/s: per line an event, a lock and a
 * wake-up on the loop, then the appender thread's formatting and a {@code write(2)} (perf/RESULTS.md).
 *
 * <p>The lines are the shipped Logback configuration's, text or json (AccessLogTest checks them against
 * Logback's own encoders), so log collectors see no difference. A line reaches stdout up to
 * {@value #FLUSH_MS} ms after its response, carrying the response's time; a crash loses those lines, a
 * graceful stop writes them. When stdout does not keep up and {@value #QUEUED_BATCHES} batches wait, a batch is
 * dropped, never waited for, and counted ({@code loopscope.access.dropped}). With an operator's own Logback
 * configuration the lines go to the logger {@value #LOGGER} instead, so its appenders get them.
 */
public final class AccessLog implements AutoCloseable {

  public static final String LOGGER = "loopscope.access";
  static final long FLUSH_MS = 100;
  static final int BATCH_CHARS = 32 * 1024;
  static final int QUEUED_BATCHES = 256;
  private static final int MAX_LOGGED_PATH = 256;
  private static final Logger ACCESS = LoggerFactory.getLogger(LOGGER);
  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
  private static final StringBuilder END = new StringBuilder();

  /** The shipped configuration's format ("text" or "json"); null sends the lines to the logger. */
  private final String format;
  private final BlockingQueue<StringBuilder> batches;
  private final AtomicLong dropped = new AtomicLong();
  private final OutputStream out;
  private final Thread writer;

  private AccessLog(String format, OutputStream out, int queuedBatches) {
    this.format = format;
    this.batches = new ArrayBlockingQueue<>(queuedBatches);
    this.out = out;
    this.writer = format == null ? null : new Thread(this::write, "loopscope-access-log");
    if (writer != null) {
      writer.setDaemon(true);
      writer.start();
    }
  }

  /** @param registry where the dropped-line count goes; null when metrics are off */
  public static AccessLog start(MeterRegistry registry) {
    return start(LogFormat.shipped(), System.out, registry);
  }

  /** @param format "text" or "json" to write to {@code out}, null for the logger {@value #LOGGER} */
  static AccessLog start(String format, OutputStream out, MeterRegistry registry) {
    return start(format, out, registry, QUEUED_BATCHES);
  }

  static AccessLog start(String format, OutputStream out, MeterRegistry registry, int queuedBatches) {
    AccessLog log = new AccessLog(format, out, queuedBatches);
    if (registry != null) {
      FunctionCounter.builder("loopscope.access.dropped", log.dropped, AtomicLong::get)
        .description("Access-log lines dropped because stdout did not keep up").register(registry);
    }
    return log;
  }

  /** The lines of one API instance; call on its event loop, which then flushes them. */
  public Lines lines(Vertx vertx) {
    return format == null ? new LoggerLines() : new LoopLines(vertx, this, "json".equals(format));
  }

  /** Lines dropped so far because stdout did not keep up. */
  public long dropped() {
    return dropped.get();
  }

  /** The lines of one event loop. */
  public interface Lines {

    /** On the loop, at the end of {@code ctx}'s response (or its connection's close). */
    void add(RoutingContext ctx, String requestId, long startNanos);

    /** Hands over what is buffered; lines added later are handed over one by one. */
    void close();
  }

  /** Writes what the loops handed over, then stops; waits at most {@code timeoutMs}. */
  public void close(long timeoutMs) {
    if (writer == null) {
      return;
    }
    try {
      batches.offer(END, timeoutMs, TimeUnit.MILLISECONDS);
      writer.join(timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(2_000);
  }

  /** The writer thread: a batch per write, and every batch waiting behind it in the same write. */
  private void write() {
    List<StringBuilder> taken = new ArrayList<>();
    long reported = 0;
    while (true) {
      try {
        taken.add(batches.take());
      } catch (InterruptedException e) {
        return;
      }
      batches.drainTo(taken);
      StringBuilder all = taken.size() == 1 ? taken.get(0) : new StringBuilder();
      boolean end = false;
      for (StringBuilder batch : taken) {
        end |= batch == END;
        if (all != batch) {
          all.append(batch);
        }
      }
      taken.clear();
      try {
        byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) {
          out.write(bytes, 0, bytes.length);
          out.flush();
        }
      } catch (java.io.IOException e) {
        LOG.warn("Cannot write the access log: {}", e.toString());
      }
      long lost = dropped.get();
      if (lost != reported) {
        LOG.warn("{} access-log lines dropped so far: stdout did not keep up", lost);
        reported = lost;
      }
      if (end) {
        return;
      }
    }
  }

  /** Hands a batch to the writer, or drops it (counted) when the writer is that far behind. */
  private void hand(StringBuilder batch, int lines) {
    if (!batches.offer(batch)) {
      dropped.addAndGet(lines);
    }
  }

  /** "GET /path 200 7 ms": the method, the path (at most 256 characters, controls as '?'), the status or "closed", the time taken. */
  static void message(StringBuilder line, RoutingContext ctx, long startNanos) {
    line.append(ctx.request().method().name()).append(' ');
    String path = ctx.request().path();
    if (path != null) {
      int end = Math.min(path.length(), MAX_LOGGED_PATH);
      for (int i = 0; i < end; i++) {
        char c = path.charAt(i);
        line.append(c < 0x20 || c == 0x7f ? '?' : c);
      }
      if (end < path.length()) {
        line.append("...");
      }
    }
    line.append(' ');
    if (ctx.response().ended()) {
      line.append(ctx.response().getStatusCode());
    } else {
      line.append("closed");
    }
    line.append(' ').append(Elapsed.msSince(startNanos)).append(" ms");
  }

  /** With an operator's own Logback configuration: an event per line, to the logger {@value #LOGGER}. */
  private static final class LoggerLines implements Lines {
    @Override
    public void add(RoutingContext ctx, String requestId, long startNanos) {
      StringBuilder line = new StringBuilder(64);
      message(line, ctx, startNanos);
      // no arguments: the message is taken as it is, so a {} in a path stays text
      ACCESS.atInfo().addKeyValue(RequestIdHandler.LOG_KEY, requestId).log(line.toString());
    }

    @Override
    public void close() {
    }
  }

  /** One event loop's buffer, in the shipped configuration's format. Used on that loop only. */
  static final class LoopLines implements Lines {
    private final AccessLog log;
    private final Text text;
    private final Vertx vertx;
    private final Context context;
    private final Thread loop;
    private final long timer;
    private final StringBuilder message = new StringBuilder(96);
    private StringBuilder lines = new StringBuilder(1024);
    private int count;
    private boolean closed;

    /** Call on the loop whose lines these are. */
    LoopLines(Vertx vertx, AccessLog log, boolean json) {
      this.vertx = vertx;
      this.log = log;
      this.text = json ? null : new Text();
      this.context = vertx.getOrCreateContext();
      this.loop = Thread.currentThread();
      this.timer = vertx.setPeriodic(FLUSH_MS, id -> flush());
    }

    @Override
    public void add(RoutingContext ctx, String requestId, long startNanos) {
      if (Thread.currentThread() != loop) { // a response ended from another thread: the buffer is the loop's alone
        context.runOnContext(v -> add(ctx, requestId, startNanos));
        return;
      }
      long now = System.currentTimeMillis();
      message.setLength(0);
      message(message, ctx, startNanos);
      String thread = Thread.currentThread().getName();
      if (text == null) {
        appendJson(lines, now, thread, message, requestId);
      } else {
        text.append(lines, now, thread, message, requestId);
      }
      count++;
      if (closed || lines.length() >= BATCH_CHARS) {
        flush();
      }
    }

    /** As the shipped json.xml's JsonEncoder writes it. */
    static void appendJson(StringBuilder lines, long now, String thread, CharSequence message, String requestId) {
      lines.append("{\"timestamp\":").append(now).append(",\"level\":\"INFO\",\"threadName\":\"")
        .append(JsonEscapeUtil.jsonEscapeString(thread)).append("\",\"loggerName\":\"").append(LOGGER)
        .append("\",\"mdc\": {},\"kvpList\": [{\"").append(RequestIdHandler.LOG_KEY).append("\":\"")
        .append(JsonEscapeUtil.jsonEscapeString(requestId)).append("\"}],\"formattedMessage\":\"")
        .append(JsonEscapeUtil.jsonEscapeString(message.toString())).append("\",\"throwable\":null}\n");
    }

    /** Hands the buffer to the writer. */
    void flush() {
      if (count == 0) {
        return;
      }
      int size = lines.length();
      log.hand(lines, count);
      // sized for a batch like this one: a quiet loop keeps small buffers, a busy one needs no regrowth
      lines = new StringBuilder(closed ? 256 : Math.min(BATCH_CHARS + 1024, size + size / 4 + 256));
      count = 0;
    }

    /** As the shipped text.xml's pattern: {@code %d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg %kvp%n}. */
    static final class Text {
      private long second = Long.MIN_VALUE;
      private String secondText;

      void append(StringBuilder lines, long now, String thread, CharSequence message, String requestId) {
        long nowSecond = Math.floorDiv(now, 1000);
        if (nowSecond != second) { // "HH:mm:ss." once a second, in the zone Logback's %d uses
          second = nowSecond;
          LocalTime time = LocalTime.ofInstant(Instant.ofEpochSecond(nowSecond), ZoneId.systemDefault());
          secondText = String.format("%02d:%02d:%02d.", time.getHour(), time.getMinute(), time.getSecond());
        }
        int millis = (int) Math.floorMod(now, 1000);
        lines.append(secondText).append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
          .append((char) ('0' + millis % 10)).append(" INFO  [").append(thread).append("] ").append(LOGGER).append(" - ")
          .append(message).append(' ').append(RequestIdHandler.LOG_KEY).append("=\"").append(requestId).append("\"\n");
      }
    }

    @Override
    public void close() {
      vertx.cancelTimer(timer);
      closed = true;
      flush();
    }
  }
}
