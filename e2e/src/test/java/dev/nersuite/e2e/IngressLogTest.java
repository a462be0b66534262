package dev.nersuite.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngressLogTest {
  /** Lines as Traefik 3.6.12 wrote them on the e2e cluster (its own log line first). */
  static final String LOG =
      """
      2026-12-05T11:47:30Z INF Starting provider *ingress.Provider
      {"ClientAddr":"10.231.0.1:45128","ClientHost":"10.231.0.1","ClientPort":"45128","ClientUsername":"-","DownstreamContentSize":222,"DownstreamStatus":200,"Duration":3891237,"OriginContentSize":222,"OriginDuration":3848019,"OriginStatus":200,"Overhead":43218,"RequestAddr":"10.231.0.11","RequestContentSize":113,"RequestCount":5144,"RequestHost":"10.231.0.11","RequestMethod":"POST","RequestPath":"/api/v1/ner","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"http","RetryAttempts":0,"RouterName":"ner-ner-ner-suite-api@kubernetes","ServiceAddr":"10.244.2.38:8080","ServiceName":"ner-ner-ner-suite-api-http@kubernetes","ServiceURL":"http://10.244.2.38:8080","StartLocal":"2026-12-05T11:47:32.399022798Z","StartUTC":"2026-12-05T11:47:32.399022798Z","entryPointName":"web","level":"info","msg":"","request_X-Ha-Request":"pod-loss-3a-25","time":"2026-12-05T11:47:32Z"}
      {"ClientAddr":"10.231.0.1:54262","ClientHost":"10.231.0.1","ClientPort":"54262","ClientUsername":"-","DownstreamContentSize":19,"DownstreamStatus":404,"Duration":62844,"GzipRatio":0,"OriginContentSize":0,"OriginDuration":0,"OriginStatus":0,"Overhead":62844,"RequestAddr":"10.231.0.11","RequestContentSize":0,"RequestCount":1,"RequestHost":"10.231.0.11","RequestMethod":"GET","RequestPath":"/","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"http","RetryAttempts":0,"StartLocal":"2026-12-05T11:26:54.216404925Z","StartUTC":"2026-12-05T11:26:54.216404925Z","entryPointName":"web","level":"info","msg":"","time":"2026-12-05T11:26:54Z"}
      """;

  @Test
  void readsWhereEachRequestWentAndWhatTheClientGot() {
    List<IngressLog.Entry> entries = IngressLog.parse(LOG);

    assertThat(entries).hasSize(2);
    IngressLog.Entry tagged = entries.get(0);
    assertThat(tagged.tag()).isEqualTo("pod-loss-3a-25");
    assertThat(tagged.method()).isEqualTo("POST");
    assertThat(tagged.path()).isEqualTo("/api/v1/ner");
    assertThat(tagged.downstreamStatus()).isEqualTo(200);
    assertThat(tagged.originStatus()).isEqualTo(200);
    assertThat(tagged.serviceAddr()).isEqualTo("10.244.2.38:8080");
    assertThat(tagged.serviceName()).isEqualTo("ner-ner-ner-suite-api-http@kubernetes");
    assertThat(FaultRun.host(tagged.serviceAddr())).isEqualTo("10.244.2.38");
    assertThat(tagged.start()).isEqualTo(Instant.parse("2026-12-05T11:47:32.399022798Z"));
    // Answered by Traefik itself (no route yet): no pod, no tag.
    assertThat(entries.get(1).originStatus()).isZero();
    assertThat(entries.get(1).tag()).isEmpty();
    assertThat(IngressLog.ofStream(entries, "pod-loss-3a")).containsExactly(tagged);
    assertThat(IngressLog.notOkFromPods(entries)).containsEntry(0, 1L).hasSize(1);
  }
}
