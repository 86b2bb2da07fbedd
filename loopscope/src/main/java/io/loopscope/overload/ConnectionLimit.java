package io.loopscope.overload;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** How many connections one server (all its instances together) has open, and how many it refused over its limit. */
public final class ConnectionLimit {

  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final LongAdder refused = new LongAdder();

  public ConnectionLimit(int max) {
    this.max = max;
  }

  public boolean tryOpen() {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      refused.increment();
      return false;
    }
    return true;
  }

  public void closed() {
    open.decrementAndGet();
  }

  public int open() {
    return open.get();
  }

  public long refused() {
    return refused.sum();
  }
}
