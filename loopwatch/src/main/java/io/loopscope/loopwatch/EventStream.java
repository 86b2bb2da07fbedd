package io.loopscope.loopwatch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** LoopWatch's events to whoever listens (the dashboard's stream, the fleet), on LoopWatch's own threads. */
final class EventStream {

  private final List<Consumer<LoopWatch.Event>> listeners = new CopyOnWriteArrayList<>();

  void publish(LoopWatch.Event event) {
    listeners.forEach(listener -> listener.accept(event));
  }

  boolean hasListeners() {
    return !listeners.isEmpty();
  }

  /** The returned action unsubscribes. */
  Runnable subscribe(Consumer<LoopWatch.Event> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
