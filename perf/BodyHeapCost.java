import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code java -cp target/loopscope.jar perf/BodyHeapCost.java old|new process|tasks FILE}: one body received in
 * 8 KiB chunks as Vert.x delivers it, then parsed (and for /process sorted and written) as the route does; prints
 * the bytes allocated per body byte. old = BodyHandler's way (one growing Buffer, then a contiguous copy or a
 * JsonObject tree: run it with a jar built before the body budget); new = the chunks streamed, as http/BodyLimit
 * does. The smallest -Xmx with which it completes (-XX:+ExitOnOutOfMemoryError) is the heap one body needs.
 * A fifth argument stops after receiving the body: the harness's own baseline.
 */
public class BodyHeapCost {
  public static void main(String[] args) throws Exception {
    boolean old = args[0].equals("old");
    boolean process = args[1].equals("process");
    byte[] file = Files.readAllBytes(Path.of(args[2]));
    List<Buffer> chunks = new ArrayList<>();
    for (int at = 0; at < file.length; at += 8192) {
      chunks.add(Buffer.buffer(java.util.Arrays.copyOfRange(file, at, Math.min(file.length, at + 8192))));
    }
    file = null;
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    long length = chunks.stream().mapToLong(Buffer::length).sum();
    Object result;
    if (args.length > 3) { System.out.println("baseline"); return; }
    if (old) {
      Buffer body = Buffer.buffer(65535);          // BodyHandler's initial buffer, then appendBuffer per chunk
      chunks.forEach(body::appendBuffer);
      chunks.clear();
      result = process
        ? Class.forName("io.loopscope.cpu.SortJob").getMethod("run", Buffer.class, int.class).invoke(null, body, 1_000_000)
        : parseTask(Class.forName("io.loopscope.tasks.TaskSpec").getMethod("parse", Buffer.class, limitsClass()), body);
    } else {
      java.util.ArrayDeque<Buffer> queue = new java.util.ArrayDeque<>(chunks);
      chunks.clear();
      InputStream body = new InputStream() {   // as http/ChunkedBody: reads the chunks in place, drops each when read
        Buffer current; int at;
        boolean next() { while (current == null || at == current.length()) { current = queue.poll(); at = 0; if (current == null) return false; } return true; }
        public int read() { return next() ? current.getByte(at++) & 0xff : -1; }
        public int read(byte[] into, int off, int n) { if (n == 0) return 0; if (!next()) return -1; int k = Math.min(n, current.length() - at); current.getBytes(at, at + k, into, off); at += k; return k; }
      };
      result = process
        ? Class.forName("io.loopscope.cpu.SortJob").getMethod("run", InputStream.class, long.class, int.class).invoke(null, body, length, 1_000_000)
        : parseTask(Class.forName("io.loopscope.tasks.TaskSpec").getMethod("parse", InputStream.class, long.class, limitsClass()), body, length);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    System.out.printf("%s %s: body %d bytes, allocated %.2f bytes per body byte (%s)%n", args[0], args[1], length,
      (double) allocated / length, result.getClass().getSimpleName());
  }

  static Class<?> limitsClass() throws Exception {
    return Class.forName("io.loopscope.tasks.TaskSpec$Limits");
  }

  static Object parseTask(java.lang.reflect.Method parse, Object... bodyArgs) throws Exception {
    Object limits = limitsClass().getConstructors()[0].newInstance(1_000_000, 100, 10_000, 100);
    Object[] all = new Object[bodyArgs.length + 1];
    System.arraycopy(bodyArgs, 0, all, 0, bodyArgs.length);
    all[bodyArgs.length] = limits;
    Object spec = parse.invoke(null, all);
    // the text the route stores: encode() of the tree before, the text itself now
    Object input = spec.getClass().getMethod("input").invoke(spec);
    return input instanceof String ? input : input.getClass().getMethod("encode").invoke(input);
  }
}
