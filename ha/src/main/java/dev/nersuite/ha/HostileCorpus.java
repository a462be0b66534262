package dev.nersuite.ha;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Hostile requests, generated (nothing stored): malformed and truncated JSON, wrong types, nulls,
 * empty and blank input, huge bodies, deep nesting, invalid UTF-8, control characters, lone
 * surrogates, megabyte texts, wrong content types, unknown fields, wrong methods and paths. Each
 * must get a 4xx with the API's JSON error body (or a correct 200 where the input is odd but
 * valid), never a 5xx. Stateless and thread-safe.
 */
public final class HostileCorpus {
  public static final String NER = "/api/v1/ner";
  public static final String BATCH = "/api/v1/ner/batch";
  public static final String JSON = "application/json";

  /** The service's limit on request bodies ({@code quarkus.http.limits.max-body-size}). */
  public static final int SERVICE_BODY_LIMIT = 2 * 1024 * 1024;

  private static final String SENTENCE = "新华社北京3月5日电，李强在人民大会堂作报告。";

  /**
   * One hostile request.
   *
   * @param category which kind of hostility (the issue's list)
   * @param name what exactly, unique in the corpus
   * @param contentType null: no Content-Type header at all
   * @param accept null: no Accept header
   * @param body null: no body
   * @param chunked sent without Content-Length (Transfer-Encoding: chunked)
   */
  public record HostileRequest(
      String category,
      String name,
      String method,
      String path,
      String contentType,
      String accept,
      byte[] body,
      boolean chunked) {
    public int bodyLength() {
      return body == null ? 0 : body.length;
    }

    /** A POST to one of the recognition endpoints, whose 200 must be a well-formed result. */
    public boolean isRecognition() {
      return method.equals("POST") && (path.equals(NER) || path.equals(BATCH));
    }
  }

  private final List<HostileRequest> requests = new ArrayList<>();

  private HostileCorpus() {}

  public static List<HostileRequest> build() {
    HostileCorpus corpus = new HostileCorpus();
    corpus.malformedJson();
    corpus.truncatedJson();
    corpus.wrongTypes();
    corpus.nulls();
    corpus.emptyAndBlank();
    corpus.hugeBodies();
    corpus.deepNesting();
    corpus.invalidUtf8();
    corpus.controlCharacters();
    corpus.loneSurrogates();
    corpus.megabyteTexts();
    corpus.contentTypes();
    corpus.unknownFields();
    corpus.methodsAndPaths();
    return List.copyOf(corpus.requests);
  }

  private void malformedJson() {
    String[] single = {
      "{",
      "}",
      "{{}",
      "{\"text\"",
      "{\"text\":",
      "{\"text\":}",
      "{\"text\" \"a\"}",
      "{text:\"新华社\"}",
      "{'text':'新华社'}",
      "{\"text\":'新华社'}",
      "{\"text\":\"新华社\",}",
      "{\"text\":\"新华社\"}}",
      "{\"text\":\"a\"} {\"text\":\"b\"}",
      "{\"text\":\"新华社\"}garbage",
      "[",
      "]",
      "nul",
      "tru",
      "undefined",
      "NaN",
      "{\"text\":NaN}",
      "{\"text\":Infinity}",
      "{\"text\":\"a\\x41\"}",
      "{\"text\":\"\\u12\"}",
      "{\"text\":\"\\uZZZZ\"}",
      "{\"text\":\"a\\\"}",
      "{\"text\":\"a\" /* c */}",
      "// c\n{\"text\":\"a\"}",
      "{\"text\":\"a\" \"b\"}",
      "{\"text\"::\"a\"}",
      "{,\"text\":\"a\"}",
      "{\"text\":\"a\";}",
      "\"text\":\"a\"",
      "{\"text\":01}",
      "{\"text\":-}",
      "{\"text\":.5}",
      "{\"text\":+1}",
      "{\"text\":\"a\"\u0000}",
      "<text>新华社</text>",
      "text=新华社"
    };
    for (int i = 0; i < single.length; i++) {
      post("malformed-json", "single #" + i + " " + shorten(single[i]), NER, single[i]);
    }
    String[] batch = {
      "{\"texts\":[}",
      "{\"texts\":[\"a\",]}",
      "{\"texts\":[\"a\" \"b\"]}",
      "{\"texts\":[\"a\"}",
      "{\"texts\":[,\"a\"]}",
      "{\"texts\":]",
      "{\"texts\":[[}"
    };
    for (int i = 0; i < batch.length; i++) {
      post("malformed-json", "batch #" + i + " " + batch[i], BATCH, batch[i]);
    }
  }

  private void truncatedJson() {
    // Every proper prefix of an object is incomplete JSON; cuts inside a 3-byte character also
    // leave invalid UTF-8 behind.
    byte[] single = ("{\"text\":\"" + SENTENCE + "\"}").getBytes(StandardCharsets.UTF_8);
    for (int length = 1; length < single.length; length += 3) {
      post(
          "truncated-json",
          "single cut at byte " + length,
          NER,
          java.util.Arrays.copyOf(single, length));
    }
    byte[] batch =
        ("{\"texts\":[\"" + SENTENCE + "\",\"王建国在上海。\"]}").getBytes(StandardCharsets.UTF_8);
    for (int length = 2; length < batch.length; length += 7) {
      post(
          "truncated-json",
          "batch cut at byte " + length,
          BATCH,
          java.util.Arrays.copyOf(batch, length));
    }
  }

  private void wrongTypes() {
    String[] single = {
      "{\"text\":1}",
      "{\"text\":1.5}",
      "{\"text\":-0}",
      "{\"text\":1e400}",
      "{\"text\":true}",
      "{\"text\":false}",
      "{\"text\":[]}",
      "{\"text\":[\"新华社\"]}",
      "{\"text\":{}}",
      "{\"text\":{\"text\":\"a\"}}",
      "[]",
      "[\"新华社\"]",
      "[{\"text\":\"a\"}]",
      "\"新华社\"",
      "42",
      "true"
    };
    for (String body : single) {
      post("wrong-types", "single " + body, NER, body);
    }
    String[] batch = {
      "{\"texts\":\"新华社\"}",
      "{\"texts\":1}",
      "{\"texts\":true}",
      "{\"texts\":{}}",
      "{\"texts\":{\"0\":\"a\"}}",
      "{\"texts\":[1]}",
      "{\"texts\":[true]}",
      "{\"texts\":[{}]}",
      "{\"texts\":[[\"a\"]]}",
      "{\"texts\":[[]]}",
      "{\"texts\":[\"a\",2]}",
      "{\"texts\":[\"a\",{\"text\":\"b\"}]}",
      "{\"text\":\"a\"}",
      "\"新华社\""
    };
    for (String body : batch) {
      post("wrong-types", "batch " + body, BATCH, body);
    }
  }

  private void nulls() {
    post("nulls", "single body null", NER, "null");
    post("nulls", "single text null", NER, "{\"text\":null}");
    post("nulls", "single text null then set", NER, "{\"text\":null,\"text\":\"a\"}");
    post("nulls", "batch body null", BATCH, "null");
    post("nulls", "batch texts null", BATCH, "{\"texts\":null}");
    post("nulls", "batch [null]", BATCH, "{\"texts\":[null]}");
    post("nulls", "batch [a, null]", BATCH, "{\"texts\":[\"新华社\",null]}");
    post("nulls", "batch [null x3]", BATCH, "{\"texts\":[null,null,null]}");
  }

  private void emptyAndBlank() {
    post("empty-and-blank", "single empty body", NER, "");
    post("empty-and-blank", "single space body", NER, " ");
    post("empty-and-blank", "single newline body", NER, "\n");
    post("empty-and-blank", "single {}", NER, "{}");
    post("empty-and-blank", "single empty text", NER, "{\"text\":\"\"}");
    post("empty-and-blank", "single spaces", NER, "{\"text\":\"   \"}");
    post("empty-and-blank", "single tabs and newlines", NER, "{\"text\":\"\\n\\t\\r\"}");
    post("empty-and-blank", "single ideographic spaces", NER, "{\"text\":\"\u3000\u3000\"}");
    post("empty-and-blank", "batch {}", BATCH, "{}");
    post("empty-and-blank", "batch empty list", BATCH, "{\"texts\":[]}");
    post("empty-and-blank", "batch [\"\"]", BATCH, "{\"texts\":[\"\"]}");
    post("empty-and-blank", "batch one blank", BATCH, "{\"texts\":[\"新华社\",\" \"]}");
  }

  private void hugeBodies() {
    String chinese = repeat(SENTENCE, 2_600_000 / 3);
    post("huge-bodies", "2.6 MB text (Content-Length)", NER, textBody(chinese));
    post(
        "huge-bodies",
        "3.9 MB text (Content-Length)",
        NER,
        textBody(repeat(SENTENCE, 3_900_000 / 3)));
    post(
        "huge-bodies",
        "5 MB text (Content-Length)",
        NER,
        textBody(repeat(SENTENCE, 5_000_000 / 3)));
    post(
        "huge-bodies",
        "12 MB text (Content-Length)",
        NER,
        textBody(repeat(SENTENCE, 12_000_000 / 3)));
    chunked("huge-bodies", "2.6 MB text (chunked)", NER, textBody(chinese));
    chunked("huge-bodies", "5 MB text (chunked)", NER, textBody(repeat(SENTENCE, 5_000_000 / 3)));
    chunked("huge-bodies", "1 KB text (chunked)", NER, textBody(repeat(SENTENCE, 1000 / 3)));
    post(
        "huge-bodies",
        "1.9 MB of whitespace around a valid body",
        NER,
        "{\"text\":\"" + SENTENCE + "\"" + " ".repeat(1_900_000) + "}");
    post(
        "huge-bodies",
        "batch of 65 texts",
        BATCH,
        batchBody(java.util.Collections.nCopies(65, SENTENCE)));
    post(
        "huge-bodies",
        "batch of 20000 texts",
        BATCH,
        batchBody(java.util.Collections.nCopies(20_000, "李")));
    post(
        "huge-bodies",
        "batch of 3 x 70000 characters",
        BATCH,
        batchBody(java.util.Collections.nCopies(3, repeat(SENTENCE, 70_000))));
    post("huge-bodies", "1.5 MB number", NER, "{\"text\":" + "1".repeat(1_500_000) + "}");
    post("huge-bodies", "1 MB field name", NER, "{\"" + "k".repeat(1_000_000) + "\":\"a\"}");
  }

  private void deepNesting() {
    for (int depth : new int[] {10, 100, 1_000, 5_000, 100_000}) {
      post(
          "deep-nesting",
          "text in " + depth + " arrays",
          NER,
          "{\"text\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
    }
    for (int depth : new int[] {10, 1_000, 100_000}) {
      post(
          "deep-nesting",
          depth + " nested objects",
          NER,
          "{\"a\":".repeat(depth) + "1" + "}".repeat(depth));
    }
    for (int depth : new int[] {1_000, 100_000}) {
      post(
          "deep-nesting",
          "texts in " + depth + " arrays",
          BATCH,
          "{\"texts\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
      post(
          "deep-nesting",
          "top-level " + depth + " arrays",
          NER,
          "[".repeat(depth) + "]".repeat(depth));
    }
    post(
        "deep-nesting",
        "unknown field 50000 deep",
        NER,
        "{\"text\":\"a\",\"x\":" + "{\"y\":".repeat(50_000) + "0" + "}".repeat(50_000) + "}");
    post("deep-nesting", "unclosed 200000 arrays", NER, "{\"text\":" + "[".repeat(200_000));
  }

  private void invalidUtf8() {
    String[] sequences = {
      "C328",
      "A0A1",
      "E228A1",
      "E28228",
      "F0288CBC",
      "F09028BC",
      "F8A1A1A1A1",
      "FCA1A1A1A1A1",
      "C0AF",
      "E080AF",
      "F08080AF",
      "EDA080",
      "EDBFBF",
      "FF",
      "FE",
      "80",
      "BF",
      "F4908080",
      "C1BF"
    };
    for (String hex : sequences) {
      post(
          "invalid-utf8",
          "bytes " + hex + " inside the text",
          NER,
          bytes("{\"text\":\"新华社", hex, "北京\"}"));
    }
    post(
        "invalid-utf8",
        "truncated 3-byte character before the quote",
        NER,
        bytes("{\"text\":\"新华社", "E4B8", "\"}"));
    post("invalid-utf8", "bytes FF inside a field name", NER, bytes("{\"te", "FF", "xt\":\"a\"}"));
    post(
        "invalid-utf8",
        "bytes C328 inside a batch text",
        BATCH,
        bytes("{\"texts\":[\"a\",\"", "C328", "\"]}"));
    post(
        "invalid-utf8",
        "Latin-1 encoded body",
        NER,
        "{\"text\":\"café Zürich\"}".getBytes(StandardCharsets.ISO_8859_1));
    post("invalid-utf8", "GBK-like bytes", NER, bytes("{\"text\":\"", "D0C2BBAACEE7", "\"}"));
    post("invalid-utf8", "UTF-16LE body with BOM", NER, utf16le("{\"text\":\"新华社\"}"));
    post(
        "invalid-utf8",
        "UTF-16BE body",
        NER,
        "{\"text\":\"新华社\"}".getBytes(StandardCharsets.UTF_16BE));
  }

  private void controlCharacters() {
    for (int c : new int[] {0x00, 0x01, 0x07, 0x08, 0x0A, 0x0D, 0x1B, 0x1F}) {
      post(
          "control-characters",
          String.format("raw U+%04X inside the string", c),
          NER,
          bytes("{\"text\":\"新华社", String.format("%02X", c), "北京\"}"));
    }
    String[] escaped = {
      "\\u0000", "\\u0007新华社", "\\u001b[31m李强\\u001b[0m在北京", "\\b\\f新华社", "\\u0001\\u0002\\u0003",
      "\\u007f新华社\\u007f", "新华社\\u0085北京", "新\\u200b华\\u200b社", "\\u202e新华社北京", "\\ufeff新华社",
      "新华社\\u2028北京\\u2029", "\\u200e李强\\u200f", "\\u0000".repeat(10_000), allC0Controls() + "李强"
    };
    for (String text : escaped) {
      post("control-characters", "escaped " + shorten(text), NER, "{\"text\":\"" + text + "\"}");
    }
    post(
        "control-characters",
        "UTF-8 BOM before the body",
        NER,
        bytes("", "EFBBBF", "{\"text\":\"新华社\"}"));
    post("control-characters", "NUL inside a field name", NER, "{\"te\\u0000xt\":\"a\"}");
    post(
        "control-characters",
        "controls in a batch",
        BATCH,
        "{\"texts\":[\"\\u0000\",\"\\u001f李强\"]}");
  }

  private static String allC0Controls() {
    StringBuilder out = new StringBuilder();
    for (int c = 1; c < 0x20; c++) {
      out.append(String.format("\\u%04x", c));
    }
    return out.toString();
  }

  private void loneSurrogates() {
    String[] texts = {
      "\\ud800",
      "\\udbff",
      "\\udc00",
      "\\udfff",
      "a\\ud800b",
      "\\udc00\\ud800",
      "\\ud800\\ud800",
      "北京\\ud83d",
      "\\ude00新华社",
      "\\ud83d\\ude00\\ud83d",
      "李强\\udbff\\udfff\\udc00"
    };
    for (String text : texts) {
      post("lone-surrogates", "text " + text, NER, "{\"text\":\"" + text + "\"}");
    }
    post("lone-surrogates", "batch [ok, lone]", BATCH, "{\"texts\":[\"新华社\",\"\\ud800\"]}");
    post("lone-surrogates", "batch [lone low]", BATCH, "{\"texts\":[\"\\udfff\"]}");
    post("lone-surrogates", "lone surrogate in a field name", NER, "{\"\\ud800\":\"a\"}");
    post("lone-surrogates", "valid pair (emoji)", NER, "{\"text\":\"\\ud83d\\ude00李强在北京\"}");
  }

  private void megabyteTexts() {
    post("megabyte-texts", "1,000,000 ASCII characters", NER, textBody("a".repeat(1_000_000)));
    post(
        "megabyte-texts",
        "1,000,000 Chinese characters",
        NER,
        textBody(repeat(SENTENCE, 1_000_000)));
    post("megabyte-texts", "100,001 Chinese characters", NER, textBody(repeat(SENTENCE, 100_001)));
    post(
        "megabyte-texts",
        "exactly 100,000 Chinese characters",
        NER,
        textBody(repeat(SENTENCE, 100_000)));
    post("megabyte-texts", "60,000 emoji and letters", NER, textBody("😀a".repeat(30_000)));
    post(
        "megabyte-texts",
        "500,000 characters as \\u escapes",
        NER,
        "{\"text\":\"" + "\\u4e2d".repeat(500_000) + "\"}");
    post("megabyte-texts", "one 1.2 MB token", NER, textBody("Qm9va".repeat(240_000)));
    post(
        "megabyte-texts",
        "batch of 64 x 1,500 characters",
        BATCH,
        batchBody(java.util.Collections.nCopies(64, repeat(SENTENCE, 1_500))));
  }

  private void contentTypes() {
    byte[] valid = textBody(SENTENCE);
    String[] types = {
      "text/plain",
      "text/html",
      "application/xml",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/octet-stream",
      "application/json; charset=utf-16",
      "application/json; charset=iso-8859-1",
      "application/json; charset=bogus-42",
      "application/jsonp",
      "application/json-patch+json",
      "application/*",
      "*/*",
      "application/json;;",
      "garbage",
      "text/json",
      "application/problem+json"
    };
    for (String type : types) {
      add("content-types", "Content-Type: " + type, "POST", NER, type, null, valid, false);
    }
    add("content-types", "no Content-Type", "POST", NER, null, null, valid, false);
    add(
        "content-types",
        "batch as text/plain",
        "POST",
        BATCH,
        "text/plain",
        null,
        batchBody(List.of(SENTENCE)),
        false);
    for (String accept : new String[] {"text/html", "application/xml", "image/png", "garbage"}) {
      add("content-types", "Accept: " + accept, "POST", NER, JSON, accept, valid, false);
    }
  }

  private void unknownFields() {
    String[] single = {
      "{\"text\":\"新华社\",\"foo\":1}",
      "{\"text\":\"新华社\",\"options\":{\"lang\":\"zh\"}}",
      "{\"text\":\"新华社\",\"model\":\"bert\"}",
      "{\"text\":\"新华社\",\"texts\":[\"b\"]}",
      "{\"Text\":\"新华社\"}",
      "{\"TEXT\":\"新华社\"}",
      "{\" text\":\"新华社\"}",
      "{\"text \":\"新华社\"}",
      "{\"\":\"新华社\"}",
      "{\"text\":\"新华社\",\"__proto__\":{\"admin\":true}}",
      "{\"text\":\"新华社\",\"constructor\":{\"prototype\":{\"x\":1}}}",
      "{\"text\":\"李强\",\"text\":\"王建国\"}",
      "{\"tex\\u0074\":\"新华社\"}"
    };
    for (String body : single) {
      post("unknown-fields", "single " + shorten(body), NER, body);
    }
    post("unknown-fields", "batch with text", BATCH, "{\"texts\":[\"新华社\"],\"text\":\"b\"}");
    StringBuilder many = new StringBuilder("{\"text\":\"新华社\"");
    for (int i = 0; i < 1000; i++) {
      many.append(",\"f").append(i).append("\":").append(i);
    }
    post("unknown-fields", "1000 unknown fields", NER, many.append('}').toString());
  }

  private void methodsAndPaths() {
    byte[] valid = textBody(SENTENCE);
    for (String method :
        new String[] {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"}) {
      add(
          "methods-and-paths",
          method + " " + NER,
          method,
          NER,
          JSON,
          null,
          method.equals("TRACE") ? null : valid,
          false);
    }
    for (String method : new String[] {"GET", "PUT", "DELETE"}) {
      add("methods-and-paths", method + " " + BATCH, method, BATCH, JSON, null, null, false);
    }
    for (String method : new String[] {"POST", "PUT", "DELETE"}) {
      add(
          "methods-and-paths",
          method + " /api/v1/model",
          method,
          "/api/v1/model",
          JSON,
          null,
          valid,
          false);
    }
    String[] paths = {
      "/api/v1/ner/",
      "/api/v1/NER",
      "/api/v2/ner",
      "/api/v1/ner/batch/extra",
      "/api/v1/ner/../model",
      "/api//v1//ner",
      "/api/v1/ner;x=1",
      "/api/v1/ner%2Fbatch",
      "/api/v1/ner?text=%E6%96%B0",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/api/v1/%00",
      "/_gateway/unavailable",
      "/api/v1/%E5%AE%9E%E4%BD%93",
      "/api/v1/ner%20",
      "/api",
      "/api/",
      "/q/health/ready",
      "/api/v1/" + "x".repeat(3_000),
      "/api/v1/" + "x".repeat(9_000),
      "/api/v1/ner?" + "q=1&".repeat(1_000)
    };
    for (String path : paths) {
      add("methods-and-paths", "POST " + shorten(path), "POST", path, JSON, null, valid, false);
    }
  }

  private void post(String category, String name, String path, String body) {
    post(category, name, path, body.getBytes(StandardCharsets.UTF_8));
  }

  private void post(String category, String name, String path, byte[] body) {
    add(category, name, "POST", path, JSON, null, body, false);
  }

  private void chunked(String category, String name, String path, byte[] body) {
    add(category, name, "POST", path, JSON, null, body, true);
  }

  private void add(
      String category,
      String name,
      String method,
      String path,
      String contentType,
      String accept,
      byte[] body,
      boolean chunked) {
    String full = category + ": " + name;
    if (requests.stream().anyMatch(r -> r.name().equals(full))) {
      throw new IllegalStateException("duplicate hostile request name: " + full);
    }
    requests.add(
        new HostileRequest(category, full, method, path, contentType, accept, body, chunked));
  }

  private static byte[] textBody(String text) {
    return ("{\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] batchBody(List<String> texts) {
    StringBuilder out = new StringBuilder("{\"texts\":[");
    for (int i = 0; i < texts.size(); i++) {
      out.append(i == 0 ? "\"" : ",\"").append(texts.get(i)).append('"');
    }
    return out.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code codePoints} code points cut from repeating {@code unit}. */
  public static String repeat(String unit, int codePoints) {
    int[] units = unit.codePoints().toArray();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < codePoints; i++) {
      out.appendCodePoint(units[i % units.length]);
    }
    return out.toString();
  }

  private static byte[] bytes(String before, String hex, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(HexFormat.of().parseHex(hex));
    out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private static byte[] utf16le(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE});
    out.writeBytes(text.getBytes(StandardCharsets.UTF_16LE));
    return out.toByteArray();
  }

  private static String shorten(String text) {
    String oneLine = text.replace("\n", "\\n").replace("\u0000", "\\0");
    return oneLine.length() <= 40
        ? oneLine
        : oneLine.substring(0, 40) + "…(" + oneLine.length() + ")";
  }
}
