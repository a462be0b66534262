package dev.nersuite.ner;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged application as a real process: health before and after warm-up, SIGTERM under load
 * (readiness goes DOWN at once, the request in flight still completes, the process exits), and a
 * corrupt model bundle (the process exits instead of serving).
 */
class GracefulShutdownIT {
  private PackagedApp app;

  @AfterEach
  void kill() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void sigtermDrainsInFlightWorkWhileReadinessIsDown() throws Exception {
    app = PackagedApp.start(java.util.Map.of());
    Process process = app.process;
    app.awaitReady();
    assertThat(app.status("/q/health/started")).isEqualTo(200);

    String text = "新华社北京电，国务院总理李强在人民大会堂作报告。".repeat(3_000);
    HttpRequest request =
        HttpRequest.newBuilder(app.uri("/api/v1/ner"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}"))
            .timeout(Duration.ofSeconds(60))
            .build();
    CompletableFuture<HttpResponse<String>> inFlight =
        app.client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    Thread.sleep(100); // let it reach the worker
    process.toHandle().destroy(); // SIGTERM

    boolean sawNotReady = false;
    long shutdownDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < shutdownDeadline && !sawNotReady) {
      sawNotReady = app.status("/q/health/ready") == 503;
    }
    assertThat(sawNotReady).as("readiness DOWN during the shutdown delay").isTrue();
    HttpResponse<String> response;
    try {
      response = inFlight.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError("the in-flight request failed; log: " + app.logText(), e);
    }
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"entities\"");
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("log: %s", app.logText()).isIn(0, 143);
  }

  @Test
  void aBundleThatFailsItsIntegrityCheckMakesTheProcessExit() throws Exception {
    Path bundle = Files.createTempDirectory("corrupt-bundle");
    Path source = Path.of("src/test/resources/lookup-bundle");
    for (String file : new String[] {"model.onnx", "tokenizer.json", "ner-model.json"}) {
      Files.copy(source.resolve(file), bundle.resolve(file));
    }
    byte[] model = Files.readAllBytes(bundle.resolve("model.onnx"));
    model[model.length / 2] ^= 1;
    Files.write(bundle.resolve("model.onnx"), model);
    app = PackagedApp.start(java.util.Map.of("NER_MODEL_PATH", bundle.toString()));
    Process process = app.process;
    boolean servedReady = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (process.isAlive() && System.nanoTime() < deadline) {
      servedReady |= app.status("/q/health/ready") == 200;
      Thread.sleep(50);
    }
    assertThat(process.isAlive()).as("process still running; log: %s", app.logText()).isFalse();
    assertThat(process.exitValue()).isNotZero();
    assertThat(servedReady).isFalse();
    assertThat(app.logText()).contains("integrity check");
  }

  @Test
  void anIdleReplicaExitsPromptlyOnSigterm() throws Exception {
    app = PackagedApp.start(java.util.Map.of());
    Process process = app.process;
    app.awaitReady();
    process.toHandle().destroy(); // SIGTERM before any request was served
    // The shutdown delay (3 s) plus an empty drain: well within 20 s.
    assertThat(process.waitFor(20, TimeUnit.SECONDS))
        .as("exited after SIGTERM; log: %s", app.logText())
        .isTrue();
    assertThat(app.logText()).contains("inference drained").doesNotContain("Exception");
  }
}
