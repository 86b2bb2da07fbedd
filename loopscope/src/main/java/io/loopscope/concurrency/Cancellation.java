package io.loopscope.concurrency;

import java.util.ArrayList;
import java.util.List;

/**
 * A cooperative cancellation signal, the counterpart of {@code Task.cancel()} in asyncio. Work that
 * can stop early registers what stopping means ({@code onCancel(timer::cancel)},
 * {@code onCancel(request::reset)}); whoever owns the work calls {@link #cancel(String)}. A child
 * signal is cancelled with its parent, which is how nested task groups cancel all the way down.
 */
public final class Cancellation {

  private final List<Runnable> actions = new ArrayList<>();
  private String reason;

  private Cancellation() {
  }

  public static Cancellation create() {
    return new Cancellation();
  }

  /** A signal that is cancelled when this one is (and may be cancelled on its own). */
  public Cancellation child() {
    Cancellation child = new Cancellation();
    onCancel(() -> child.cancel(reason()));
    return child;
  }

  /** Runs {@code action} once, when cancelled; at once if already cancelled. */
  public void onCancel(Runnable action) {
    synchronized (this) {
      if (reason == null) {
        actions.add(action);
        return;
      }
    }
    action.run();
  }

  /** Cancels once; later calls do nothing. Returns whether this call cancelled. */
  public boolean cancel(String why) {
    List<Runnable> toRun;
    synchronized (this) {
      if (reason != null) {
        return false;
      }
      reason = why == null ? "cancelled" : why;
      toRun = List.copyOf(actions);
      actions.clear();
    }
    toRun.forEach(Runnable::run);
    return true;
  }

  public synchronized boolean isCancelled() {
    return reason != null;
  }

  /** Why it was cancelled, or null. */
  public synchronized String reason() {
    return reason;
  }

  /** The failure a cancelled piece of work completes with. */
  public CancelledException exception() {
    return new CancelledException(reason());
  }
}
