package dev.nersuite.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nersuite.ha.AccessLog.Attempt;
import dev.nersuite.ha.AccessLog.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
  @Test
  void retriedRequestListsEveryAttemptInOrder() {
    Entry entry =
        AccessLog.parse(
            "1732437123.456 200 0.012 \"127.0.0.1:41001, 127.0.0.1:41002, 127.0.0.1:41003\""
                + " \"502, 503, 200\" \"0.000, 0.002, 0.010\" \"POST\" \"crash-17\"");
    assertThat(entry.epochMillis()).isEqualTo(1732437123456L);
    assertThat(entry.status()).isEqualTo(200);
    assertThat(entry.attempts())
        .containsExactly(
            new Attempt("127.0.0.1:41001", 502),
            new Attempt("127.0.0.1:41002", 503),
            new Attempt("127.0.0.1:41003", 200));
    assertThat(entry.requestTag()).isEqualTo("crash-17");
  }

  @Test
  void requestNginxAnsweredItselfHasNoAttempts() {
    Entry ownAnswer = AccessLog.parse("1732437123.000 413 0.000 \"-\" \"-\" \"-\" \"POST\" \"-\"");
    assertThat(ownAnswer.attempts()).isEmpty();
    // "no live upstreams": nginx logs the upstream's name, not an address.
    Entry noLive =
        AccessLog.parse("1732437123.000 503 0.000 \"ner_api\" \"502\" \"0.000\" \"POST\" \"x-1\"");
    assertThat(noLive.attempts()).isEmpty();
  }

  @Test
  void readsOnlyWhatWasAppendedAfterAnOffset(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("access.log");
    String first = "1.000 200 0.001 \"127.0.0.1:1\" \"200\" \"0.001\" \"POST\" \"a-1\"\n";
    Files.writeString(log, first, StandardCharsets.UTF_8);
    long offset = AccessLog.size(log);
    Files.writeString(
        log,
        first + "2.000 200 0.001 \"127.0.0.1:2\" \"200\" \"0.001\" \"POST\" \"a-2\"\n",
        StandardCharsets.UTF_8);
    List<Entry> entries = AccessLog.readFrom(log, offset);
    assertThat(entries).extracting(Entry::requestTag).containsExactly("a-2");
  }

  @Test
  void lineOfAnotherFormatIsRefused() {
    assertThatThrownBy(() -> AccessLog.parse("127.0.0.1 - - [24/Nov/2026] \"GET / HTTP/1.1\" 200"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
