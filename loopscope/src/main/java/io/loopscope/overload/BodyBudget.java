package io.loopscope.overload;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one memory budget that every request body in flight draws from, across all API event loops:
 * buffered, waiting for a CPU job or inside one, or being parsed. A body that does not fit is refused
 * before it is read, so that many large bodies at once cost 503s rather than an OutOfMemoryError.
 */
public final class BodyBudget {

  private final long limitBytes;
  private final AtomicLong inUse = new AtomicLong();
  private final LongAdder refused = new LongAdder();

  public BodyBudget(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  /** A reservation of {@code bytes}, or null (counted as refused) when the budget cannot cover them now. */
  public Reservation tryReserve(long bytes) {
    if (!take(bytes)) {
      refused.increment();
      return null;
    }
    return new Reservation(bytes);
  }

  private boolean take(long bytes) {
    long now;
    do {
      now = inUse.get();
      if (now + bytes > limitBytes) {
        return false;
      }
    } while (!inUse.compareAndSet(now, now + bytes));
    return true;
  }

  public long limitBytes() {
    return limitBytes;
  }

  public long inUseBytes() {
    return inUse.get();
  }

  /** Bodies refused because the budget was spent. */
  public long refused() {
    return refused.sum();
  }

  /**
   * Bytes held for one request. Each holder (the request until its response ends, a job while it runs)
   * releases once; the bytes go back to the budget when the last holder has.
   */
  public final class Reservation {
    private final AtomicLong bytes;
    private final AtomicInteger holders = new AtomicInteger(1);

    private Reservation(long bytes) {
      this.bytes = new AtomicLong(bytes);
    }

    /** Takes {@code more} bytes for a body whose length was not announced; false (counted as refused) when they do not fit. */
    public boolean grow(long more) {
      if (!take(more)) {
        refused.increment();
        return false;
      }
      bytes.addAndGet(more);
      return true;
    }

    /** One more holder, e.g. a job that reads the body after the handler returned. */
    public Reservation retain() {
      if (holders.getAndIncrement() <= 0) {
        holders.decrementAndGet();
        throw new IllegalStateException("reservation already released");
      }
      return this;
    }

    public void release() {
      int left = holders.decrementAndGet();
      if (left == 0) {
        inUse.addAndGet(-bytes.getAndSet(0));
      } else if (left < 0) {
        holders.incrementAndGet();
        throw new IllegalStateException("reservation released more often than held");
      }
    }

    public long bytes() {
      return bytes.get();
    }
  }
}
