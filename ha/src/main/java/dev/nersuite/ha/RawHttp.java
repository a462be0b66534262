package dev.nersuite.ha;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain socket, one connection per request ({@code Connection:
 * close}), for hostile requests: it sends exactly the bytes given, and no connection pool can hand
 * a connection the server already closed to the next request (java.net.http does that after a bare
 * HTTP/1.0 error answer). Stateless and thread-safe.
 */
public final class RawHttp {
  private static final int CHUNK = 64 * 1024;

  private RawHttp() {}

  /** An answer: status, headers (names lower-cased) and the body decoded as UTF-8. */
  public record Response(int status, String version, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }
  }

  /**
   * Sends one request and reads the whole answer.
   *
   * @param contentType null: no Content-Type header
   * @param accept null: no Accept header
   * @param body null: no body
   * @param chunked send the body with Transfer-Encoding: chunked instead of Content-Length
   */
  public static Response exchange(
      URI target,
      String method,
      String contentType,
      String accept,
      Map<String, String> extraHeaders,
      byte[] body,
      boolean chunked,
      Duration timeout)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5000);
      socket.setSoTimeout((int) timeout.toMillis());
      StringBuilder head = new StringBuilder();
      String path =
          target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
      head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
      head.append("Host: ")
          .append(target.getHost())
          .append(':')
          .append(target.getPort())
          .append("\r\n");
      head.append("Connection: close\r\n");
      if (contentType != null) {
        head.append("Content-Type: ").append(contentType).append("\r\n");
      }
      if (accept != null) {
        head.append("Accept: ").append(accept).append("\r\n");
      }
      extraHeaders.forEach(
          (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      if (body != null) {
        head.append(
            chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
      }
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      try {
        writeBody(out, body, chunked);
      } catch (IOException e) {
        // The server may answer (413) and close before reading the whole body: read its answer.
      }
      out.flush();
      return read(socket.getInputStream());
    }
  }

  private static void writeBody(OutputStream out, byte[] body, boolean chunked) throws IOException {
    if (body == null) {
      return;
    }
    if (!chunked) {
      out.write(body);
      return;
    }
    for (int offset = 0; offset < body.length; offset += CHUNK) {
      int length = Math.min(CHUNK, body.length - offset);
      out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body, offset, length);
      out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
  }

  private static Response read(InputStream in) throws IOException {
    byte[] all = in.readAllBytes(); // Connection: close, so the answer ends with the stream
    int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    if (all.length == 0 || end < 0) {
      throw new IOException("no complete HTTP answer (" + all.length + " bytes)");
    }
    String[] lines = new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
    }
    byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
    if (headers.getOrDefault("transfer-encoding", "").equalsIgnoreCase("chunked")) {
      body = dechunk(body);
    } else if (headers.containsKey("content-length")) {
      int length = Integer.parseInt(headers.get("content-length"));
      body = java.util.Arrays.copyOf(body, Math.min(length, body.length));
    }
    return new Response(
        Integer.parseInt(statusLine[1]),
        statusLine[0],
        headers,
        new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] chunked) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int position = 0;
    while (position < chunked.length) {
      int lineEnd =
          indexOf(
              java.util.Arrays.copyOfRange(chunked, position, chunked.length),
              "\r\n".getBytes(StandardCharsets.ISO_8859_1));
      if (lineEnd < 0) {
        throw new IOException("truncated chunked answer");
      }
      String sizeField =
          new String(chunked, position, lineEnd, StandardCharsets.ISO_8859_1).split(";")[0].strip();
      int size = Integer.parseInt(sizeField, 16);
      position += lineEnd + 2;
      if (size == 0) {
        break;
      }
      out.write(chunked, position, Math.min(size, chunked.length - position));
      position += size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
