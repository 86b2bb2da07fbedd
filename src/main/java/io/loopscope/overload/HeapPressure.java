package io.loopscope.overload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
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
  private final NotificationEmitter emitter = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
  private final NotificationListener listener = (notification, handback) -> {
    if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
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
    for (MemoryPoolMXBean pool : tenured) {
      long max = pool.getUsage().getMax() > 0 ? pool.getUsage().getMax() : maxHeap;
      pool.setCollectionUsageThreshold(max / 100 * percent);
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
   * Clears the state once a collection has left every tenured pool below its mark, or asks for a collection
   * after {@link #QUIET_MS} without one. May call {@code System.gc()}: never call on an event loop.
   */
  public synchronized void recheck() {
    if (tenured.stream().anyMatch(MemoryPoolMXBean::isCollectionUsageThresholdExceeded)) {
      enter();
    } else if (overloaded) {
      overloaded = false;
      LOG.info("Heap below its high-water mark again after a GC: bodies are accepted");
      return;
    }
    if (!overloaded) {
      return;
    }
    long collections = ManagementFactory.getGarbageCollectorMXBeans().stream()
      .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    if (collections != collectionsSeen) {
      collectionsSeen = collections;
      quietSince = System.nanoTime();
    } else if (System.nanoTime() - quietSince > QUIET_MS * 1_000_000) {
      quietSince = System.nanoTime();
      System.gc();
    }
  }

  @Override
  public void close() {
    try {
      emitter.removeNotificationListener(listener);
    } catch (javax.management.ListenerNotFoundException e) {
      // already removed
    }
  }
}
