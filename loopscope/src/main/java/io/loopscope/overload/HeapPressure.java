package io.loopscope.overload;

import javax.management.ListenerNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Overload by heap, as Envoy's overload manager does it: when the old generation still holds more than a
 * high-water mark after a collection (a {@link MemoryPoolMXBean} collection-usage threshold), the service is
 * overloaded and sheds requests that bring bodies until a later collection finds it below the mark again.
 */
public final class HeapPressure implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HeapPressure.class);
  /** While overloaded with no collection for this long, {@link #recheck()} asks for one: an idle, unready pod would never see one. */
  static final long QUIET_MS = 5_000;

  private final List<MemoryPoolMXBean> tenured;
  private final long[] marks;
  private final NotificationEmitter emitter = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
  private final NotificationListener listener = (notification, handback) -> {
    if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType()) && aboveMark()) {
      enter();
    }
  };
  private final LongAdder shed = new LongAdder();
  private volatile boolean overloaded;
  private long collectionsSeen = -1;
  private long quietSince = System.nanoTime();

  /** @param percent of the max heap the old generation may hold after a collection */
  public HeapPressure(int percent) {
    long maxHeap = Runtime.getRuntime().maxMemory();
    this.tenured = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
      .filter(pool -> !pool.getName().contains("Eden") && !pool.getName().contains("Survivor"))
      .toList();
    this.marks = new long[tenured.size()];
    for (int i = 0; i < marks.length; i++) {
      MemoryPoolMXBean pool = tenured.get(i);
      long max = pool.getUsage().getMax() > 0 ? pool.getUsage().getMax() : maxHeap;
      marks[i] = max / 100 * percent;
      pool.setCollectionUsageThreshold(marks[i]);
    }
    emitter.addNotificationListener(listener, null, null);
  }

  private void enter() {
    if (!overloaded) {
      overloaded = true;
      LOG.warn("Heap overloaded: the old generation is above its high-water mark after a GC; requests with bodies get 503");
    }
  }

  /** True while the heap stays above the high-water mark after collections. */
  public boolean overloaded() {
    return overloaded;
  }

  /** Counts one request turned away because of the heap. */
  public void countShed() {
    shed.increment();
  }

  public long shed() {
    return shed.sum();
  }

  /**
   * The pools' thresholds only wake the listener; the decision compares the usage after the last collection
   * with this instance's own marks (another instance in the JVM, as in tests, may set other thresholds).
   */
  private boolean aboveMark() {
    for (int i = 0; i < marks.length; i++) {
      MemoryUsage afterGc = tenured.get(i).getCollectionUsage();
      if (afterGc != null && afterGc.getUsed() >= marks[i]) {
        return true;
      }
    }
    return false;
  }

  /**
   * Enters or clears the state from the usage after the last collection; cheap, call it every second. Returns
   * true when the caller should run {@code System.gc()} off the event loop: overloaded and no collection for
   * {@link #QUIET_MS}, so that an idle, unready pod can find out that it is no longer overloaded.
   */
  public synchronized boolean recheck() {
    if (aboveMark()) {
      enter();
    } else if (overloaded) {
      overloaded = false;
      LOG.info("Heap below its high-water mark again after a GC: bodies are accepted");
    }
    if (!overloaded) {
      return false;
    }
    long collections = ManagementFactory.getGarbageCollectorMXBeans().stream()
      .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    if (collections != collectionsSeen) {
      collectionsSeen = collections;
      quietSince = System.nanoTime();
    } else if (System.nanoTime() - quietSince > QUIET_MS * 1_000_000) {
      quietSince = System.nanoTime();
      return true;
    }
    return false;
  }

  @Override
  public void close() {
    try {
      emitter.removeNotificationListener(listener);
    } catch (ListenerNotFoundException e) {
      // already removed
    }
  }
}
