package dev.nersuite.ner.rest;

import io.quarkus.runtime.configuration.MemorySize;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Enforces the body limit ({@code quarkus.http.limits.max-body-size}) while a body is read, for
 * bodies whose size is not announced ({@code Transfer-Encoding: chunked}): reading stops at the
 * first byte over the limit with a {@link BodyTooLargeException}, which {@link ErrorMappers}
 * answers with the API's JSON 413. (Quarkus' own check for such bodies answers a bare 413 with no
 * body, so {@link BodySizeGuard} hands those bodies to this interceptor instead.) Thread-safe; the
 * counting stream belongs to one request.
 */
@Provider
public class BodyLimitReaderInterceptor implements ReaderInterceptor {
  @ConfigProperty(name = "quarkus.http.limits.max-body-size")
  MemorySize maxBodySize;

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    context.setInputStream(
        new LimitedInputStream(context.getInputStream(), maxBodySize.asLongValue()));
    return context.proceed();
  }

  /** An input stream that fails once more than {@code limit} bytes have been read from it. */
  static final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        counted(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        counted(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      counted(skipped);
      return skipped;
    }

    private void counted(long n) throws BodyTooLargeException {
      count += n;
      if (count > limit) {
        throw new BodyTooLargeException(limit);
      }
    }
  }
}
