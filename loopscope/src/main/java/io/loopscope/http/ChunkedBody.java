package io.loopscope.http;

import io.vertx.core.buffer.Buffer;

import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A request body kept as the chunks it arrived in, read once as a stream that lets go of each chunk as it
 * is consumed: no contiguous copy of the whole body, and its memory shrinks while a parser reads it.
 */
final class ChunkedBody {

  private final Deque<Buffer> chunks = new ArrayDeque<>();
  private long length;

  void add(Buffer chunk) {
    chunks.add(chunk);
    length += chunk.length();
  }

  long length() {
    return length;
  }

  /** The body as a stream; reading it empties this body. */
  InputStream stream() {
    return new InputStream() {
      private Buffer current;
      private int at;

      private boolean next() {
        while (current == null || at == current.length()) {
          current = chunks.poll();
          at = 0;
          if (current == null) {
            return false;
          }
        }
        return true;
      }

      @Override
      public int read() {
        return next() ? current.getByte(at++) & 0xff : -1;
      }

      @Override
      public int read(byte[] into, int offset, int count) {
        if (count == 0) {
          return 0;
        }
        if (!next()) {
          return -1;
        }
        int n = Math.min(count, current.length() - at);
        current.getBytes(at, at + n, into, offset);
        at += n;
        return n;
      }
    };
  }
}
