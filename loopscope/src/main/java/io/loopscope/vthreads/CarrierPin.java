package io.loopscope.vthreads;

import java.io.IOException;
import java.io.InputStream;

/**
 * Pins the calling virtual thread to its carrier for a while, the way a current JDK still pins: by
 * sleeping inside a class initializer. Since Java 24 (JEP 491) {@code synchronized} and
 * {@code Object.wait} no longer pin, but a class initializer runs under a VM call, and a virtual thread
 * cannot unmount from under that native frame. A class is initialised once per class loader, so each
 * call defines {@link Initializer} afresh in a throwaway loader.
 */
public final class CarrierPin {

  private static final String INITIALIZER = CarrierPin.class.getName() + "$Initializer";

  /** How long the initializer sleeps; read by the fresh class, on the calling thread. */
  public static final ThreadLocal<Integer> SLEEP_MS = new ThreadLocal<>();

  private CarrierPin() {
  }

  /** Blocks the calling thread for {@code ms} inside a class initializer. */
  public static void pinFor(int ms) {
    SLEEP_MS.set(ms);
    try {
      Class.forName(INITIALIZER, true, new FreshLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("cannot define " + INITIALIZER, e);
    } finally {
      SLEEP_MS.remove();
    }
  }

  /** Its static initializer is the pinning sleep. */
  public static final class Initializer {
    static {
      try {
        Thread.sleep(SLEEP_MS.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private Initializer() {
    }
  }

  /** Defines {@link Initializer} from its class file, every other class from the parent. */
  private static final class FreshLoader extends ClassLoader {
    FreshLoader() {
      super(CarrierPin.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.equals(INITIALIZER)) {
        return super.loadClass(name, resolve);
      }
      try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
        if (in == null) {
          throw new ClassNotFoundException(name);
        }
        byte[] bytes = in.readAllBytes();
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new ClassNotFoundException(name, e);
      }
    }
  }
}
