package dev.nersuite.ner.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.nersuite.ner.PackagedApp;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged application as the chart runs it with tracing on: JSON logs (one object per line)
 * and OpenTelemetry spans exported over OTLP to a configured endpoint, here a receiver in this test
 * that decodes the real protobuf payloads.
 */
class ObservabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEXT = "王保密住在机密路八号，在北京大学工作。";
  private static final List<String> PIPELINE =
      List.of("ner.admission", "ner.tokenize", "ner.queue", "ner.inference", "ner.decode");

  private final List<Span> spans = new CopyOnWriteArrayList<>();
  private HttpServer collector;
  private PackagedApp app;

  @BeforeEach
  void start() throws IOException, InterruptedException {
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/v1/traces",
        exchange -> {
          ExportTraceServiceRequest request =
              ExportTraceServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes());
          request
              .getResourceSpansList()
              .forEach(r -> r.getScopeSpansList().forEach(s -> spans.addAll(s.getSpansList())));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
    app =
        PackagedApp.start(
            Map.of(
                "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true",
                "QUARKUS_OTEL_SDK_DISABLED", "false",
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint,
                "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf",
                "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "100ms"));
    app.awaitReady();
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    if (collector != null) {
      collector.stop(0);
    }
  }

  private HttpResponse<String> recognize(String requestId) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(app.uri("/api/v1/ner"))
            .header("Content-Type", "application/json")
            .header(RequestLogFilter.HEADER, requestId)
            .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + TEXT + "\"}"))
            .timeout(Duration.ofSeconds(30))
            .build();
    return app.client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void logsAreOneJsonObjectPerLineAndTheRequestLineHasItsFieldsButNoText() throws Exception {
    HttpResponse<String> response = recognize("it-log-1");
    assertThat(response.statusCode()).isEqualTo(200);

    JsonNode line = awaitRequestLine("it-log-1");
    assertThat(line.get("time").asText()).isNotBlank();
    assertThat(line.get("level").asText()).isEqualTo("INFO");
    assertThat(line.get("logger").asText()).isEqualTo(RequestLogFilter.class.getName());
    assertThat(line.get("message").asText()).contains("POST /api/v1/ner 200");
    JsonNode fields = line.get("mdc");
    assertThat(fields.get("status").asText()).isEqualTo("200");
    assertThat(fields.get("model").asText())
        .isEqualTo(JSON.readTree(response.body()).get("model").asText());
    assertThat(Double.parseDouble(fields.get("latency_ms").asText())).isPositive();
    assertThat(app.logText()).doesNotContain(TEXT).doesNotContain("机密路");
  }

  @Test
  void aRequestIsTracedThroughEveryPipelineStepWithModelAndSizesButNoText() throws Exception {
    assertThat(recognize("it-trace-1").statusCode()).isEqualTo(200);

    List<Span> pipeline = awaitSpans();
    Span server =
        spans.stream()
            .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
            .filter(s -> s.getName().contains("/api/v1/ner"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no HTTP server span in " + names()));
    for (Span span : pipeline) {
      assertThat(span.getTraceId()).as(span.getName()).isEqualTo(server.getTraceId());
      assertThat(span.getParentSpanId()).as(span.getName()).isEqualTo(server.getSpanId());
      assertThat(attributes(span)).as(span.getName()).containsKey("ner.model");
      assertThat(span.getEndTimeUnixNano()).isGreaterThanOrEqualTo(span.getStartTimeUnixNano());
    }
    Map<String, String> tokenize = attributes(span(pipeline, "ner.tokenize"));
    assertThat(tokenize)
        .containsEntry("ner.texts", "1")
        .containsEntry("ner.characters", Integer.toString(TEXT.codePointCount(0, TEXT.length())));
    assertThat(Long.parseLong(tokenize.get("ner.tokens"))).isGreaterThan(2);
    assertThat(attributes(span(pipeline, "ner.inference")))
        .containsKeys("ner.rows", "ner.batch.rows", "ner.batch.tokens");
    assertThat(Long.parseLong(attributes(span(pipeline, "ner.decode")).get("ner.entities")))
        .isPositive();
    // The steps follow each other in time.
    for (int i = 1; i < pipeline.size(); i++) {
      assertThat(pipeline.get(i).getStartTimeUnixNano())
          .as("%s starts after %s began", PIPELINE.get(i), PIPELINE.get(i - 1))
          .isGreaterThanOrEqualTo(pipeline.get(i - 1).getStartTimeUnixNano());
    }
    for (Span span : spans) {
      assertThat(span.toString()).doesNotContain(TEXT).doesNotContain("机密路");
    }
    // The JSON log line of the request carries the trace id, so logs and traces join.
    assertThat(app.logText()).contains(HexFormat.of().formatHex(server.getTraceId().toByteArray()));
  }

  private JsonNode awaitRequestLine(String requestId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<JsonNode> lines = new ArrayList<>();
      for (String line : app.logText().split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          throw new AssertionError("not a JSON object: " + line, e);
        }
        assertThat(node.isObject()).as(line).isTrue();
        lines.add(node);
      }
      for (JsonNode node : lines) {
        JsonNode mdc = node.get("mdc");
        if (mdc != null
            && mdc.has("request_id")
            && mdc.get("request_id").asText().equals(requestId)
            && node.get("logger").asText().equals(RequestLogFilter.class.getName())) {
          return node;
        }
      }
      assertThat(System.nanoTime()).as("a log line for %s", requestId).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** The pipeline's spans, in pipeline order, once all have been exported. */
  private List<Span> awaitSpans() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      Set<String> seen = spans.stream().map(Span::getName).collect(Collectors.toSet());
      if (seen.containsAll(PIPELINE)
          && spans.stream().anyMatch(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)) {
        return PIPELINE.stream().map(name -> span(spans, name)).toList();
      }
      assertThat(System.nanoTime()).as("spans exported; got %s", seen).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private List<String> names() {
    return spans.stream().map(Span::getName).toList();
  }

  private static Span span(List<Span> spans, String name) {
    return spans.stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name));
  }

  private static Map<String, String> attributes(Span span) {
    return span.getAttributesList().stream()
        .collect(
            Collectors.toMap(
                KeyValue::getKey,
                kv ->
                    kv.getValue().hasIntValue()
                        ? Long.toString(kv.getValue().getIntValue())
                        : kv.getValue().getStringValue()));
  }
}
