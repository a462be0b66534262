package dev.nersuite.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NginxGatewayTest {
  @ParameterizedTest
  @EnumSource(NginxGateway.Retry503.class)
  void configurationIsValidForNginxAndKeepsEverythingUnderItsDirectory(
      NginxGateway.Retry503 retry503, @TempDir Path dir) throws Exception {
    String config = NginxGateway.config(dir, 18080, List.of(18081, 18082, 18083), retry503);
    Files.createDirectories(dir.resolve("tmp"));
    Files.writeString(dir.resolve("nginx.conf"), config, StandardCharsets.UTF_8);
    Process check =
        new ProcessBuilder(
                "nginx",
                "-t",
                "-p",
                dir.toString(),
                "-c",
                dir.resolve("nginx.conf").toString(),
                "-e",
                dir.resolve("error.log").toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor()).as(output).isZero();

    assertThat(config).contains("listen 127.0.0.1:18080;");
    for (int port : List.of(18081, 18082, 18083)) {
      assertThat(config).contains("server 127.0.0.1:" + port + " max_fails=3 fail_timeout=5s;");
    }
    // Retrying a POST must be switched on explicitly; a 503 is retried either way.
    assertThat(config).contains("non_idempotent;").contains("proxy_next_upstream_tries 3;");
    if (retry503 == NginxGateway.Retry503.COUNTED) {
      assertThat(config)
          .contains("proxy_next_upstream error timeout http_502 http_503 non_idempotent;")
          .doesNotContain("proxy_intercept_errors on;");
    } else {
      assertThat(config)
          .doesNotContain("http_503")
          .contains("error_page 503 = @retry_503;")
          .contains("error_page 503 = @last_503;")
          // Intercepting 503s must not swallow a replica's own 413 (TEXT_TOO_LONG...).
          .contains("error_page 413 = @413;")
          .contains("location @413 {");
    }
    // No path of nginx's own defaults (/var/log/nginx, /run) may be used.
    for (String line : config.lines().toList()) {
      if (line.matches("\\s*(pid|error_log|access_log|\\w+_temp_path) .*")) {
        assertThat(line).as(line).contains(dir.toString());
      }
    }
  }
}
