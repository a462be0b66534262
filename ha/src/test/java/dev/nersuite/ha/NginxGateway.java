package dev.nersuite.ha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's) in front of the replicas, configured as a production gateway would be:
 * passive health checks, retries of idempotent recognition on another replica, bounded timeouts,
 * and the API's JSON error body for the errors nginx itself produces. Everything (config, pid,
 * logs, temp files) lives under one directory; it listens on 127.0.0.1 only. Not thread-safe: one
 * test thread drives it.
 */
final class NginxGateway implements AutoCloseable {
  /** Failed attempts within {@link #FAIL_TIMEOUT_SECONDS} that take a replica out of rotation. */
  static final int MAX_FAILS = 3;

  /**
   * How long a replica stays out after {@link #MAX_FAILS} failures, and the window they count in.
   */
  static final int FAIL_TIMEOUT_SECONDS = 5;

  /** Codes of the errors the gateway itself answers (the replicas' codes are the API's own). */
  static final List<String> GATEWAY_CODES =
      List.of(
          "UNAVAILABLE",
          "BAD_REQUEST",
          "NOT_FOUND",
          "METHOD_NOT_ALLOWED",
          "REQUEST_TIMEOUT",
          "LENGTH_REQUIRED",
          "BODY_TOO_LARGE",
          "URI_TOO_LONG",
          "HEADERS_TOO_LARGE",
          "NOT_IMPLEMENTED");

  /** How a replica's 503 is retried on another replica. */
  enum Retry503 {
    /**
     * The default. Passive checks count connection errors, timeouts and 502 only; a 503 (NOT_READY,
     * SHUTTING_DOWN, OVERLOADED) is retried through {@code error_page} on up to two more replicas
     * without counting as a failure, because a replica shedding load is healthy: counting its 503
     * ejected every replica under overload (see the README's figures).
     */
    UNCOUNTED,
    /**
     * The textbook configuration: {@code proxy_next_upstream ... http_503}, so every 503 also
     * counts toward {@code max_fails}. Kept to measure the difference ({@code
     * -Dha.gateway.retry503=COUNTED}).
     */
    COUNTED
  }

  private final Path dir;
  private final int port;
  private final Retry503 retry503;
  private Process master;

  private NginxGateway(Path dir, int port, Retry503 retry503) {
    this.dir = dir;
    this.port = port;
    this.retry503 = retry503;
  }

  Retry503 retry503() {
    return retry503;
  }

  /**
   * Writes the configuration for the given replica ports, checks it with {@code nginx -t} and
   * starts nginx.
   */
  static NginxGateway start(Path dir, int port, List<Integer> upstreamPorts, Retry503 retry503) {
    NginxGateway gateway = new NginxGateway(dir, port, retry503);
    try {
      Files.createDirectories(dir.resolve("tmp"));
      Files.writeString(
          dir.resolve("nginx.conf"),
          config(dir, port, upstreamPorts, retry503),
          StandardCharsets.UTF_8);
      gateway.run("-t");
      gateway.master =
          ProcessReaper.register(
              new ProcessBuilder(gateway.command("-g", "daemon off;"))
                  .redirectErrorStream(true)
                  .redirectOutput(
                      ProcessBuilder.Redirect.appendTo(dir.resolve("nginx.out").toFile()))
                  .start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start nginx in " + dir, e);
    }
    gateway.awaitListening(Duration.ofSeconds(10));
    return gateway;
  }

  /** The settings every proxying location shares. */
  private static final String PROXY =
      """
              proxy_pass http://TARGET;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_set_header Host $host;
              proxy_set_header X-Forwarded-For $remote_addr;
              # Loopback replicas accept at once or not at all; the read/send timeouts are the
              # service's 30 s deadline plus 5 s, so its own 503 TIMEOUT reaches the client.
              proxy_connect_timeout 1s;
              proxy_send_timeout 35s;
              proxy_read_timeout 35s;
              proxy_next_upstream_tries 3;
              proxy_next_upstream_timeout 40s;
              # nginx's own 413 (body over client_max_body_size) and its 502/504 (no replica
              # answered) in the API's JSON.
              error_page 413 ON_413;
              error_page 502 504 =503 /_gateway/unavailable;
      """;

  /** The configuration; package-private so a unit test can check it with {@code nginx -t}. */
  static String config(Path dir, int port, List<Integer> upstreamPorts, Retry503 retry503) {
    int n = upstreamPorts.size();
    StringBuilder upstreams = new StringBuilder();
    upstreams.append(upstream("ner_api", upstreamPorts));
    StringBuilder retryTargets = new StringBuilder();
    if (retry503 == Retry503.UNCOUNTED) {
      // For every set of replicas already tried, a group of the others, and a map from nginx's
      // list of tried addresses ($upstream_addr) to that group: a retried 503 never goes back to
      // a replica that refused the request. (A map's value is computed once per request, so each
      // retry has its own map.)
      StringBuilder entries = new StringBuilder();
      for (int tried = 1; tried < (1 << n) - 1; tried++) {
        List<Integer> others = new java.util.ArrayList<>();
        StringBuilder group = new StringBuilder("ner_api_except");
        StringBuilder pattern = new StringBuilder("~^");
        for (int i = 0; i < n; i++) {
          String address = "127\\.0\\.0\\.1:" + upstreamPorts.get(i) + "(?![0-9])";
          boolean wasTried = (tried & (1 << i)) != 0;
          pattern.append(wasTried ? "(?=.*" : "(?!.*").append(address).append(')');
          if (wasTried) {
            group.append('_').append(upstreamPorts.get(i));
          } else {
            others.add(upstreamPorts.get(i));
          }
        }
        upstreams.append(upstream(group.toString(), others));
        entries.append("    \"").append(pattern).append("\" ").append(group).append(";\n");
      }
      for (String map : List.of("second", "third")) {
        retryTargets
            .append("  map $upstream_addr $ner_")
            .append(map)
            .append("_try {\n    default \"\";\n")
            .append(entries)
            .append("  }\n");
      }
    }
    String passThrough = PROXY.replace("ON_413", "/_gateway/413");
    // Where errors are intercepted (to retry 503s), a 413 may be the replica's own answer.
    String intercepting = PROXY.replace("ON_413", "= @413");
    String proxying =
        retry503 == Retry503.COUNTED
            ? """
                location / {
                  # Recognition is idempotent, so a POST may be sent again to another replica
                  # (non_idempotent): on a connection error or timeout, and on a replica's 502/503.
                  # Every one of these counts toward max_fails.
                  proxy_next_upstream error timeout http_502 http_503 non_idempotent;
        PASS(ner_api)        }
        """
            : """
                # Recognition is idempotent, so a POST may be sent again to another replica
                # (non_idempotent) on a connection error, a timeout or a 502: these count toward
                # max_fails. A replica's 503 (not ready, shutting down, shedding load) is retried
                # too, on up to two replicas not tried yet, through error_page: it does not count,
                # because a replica that sheds load is healthy, and ejecting it would turn an
                # overload into an outage.
                location / {
                  proxy_next_upstream error timeout http_502 non_idempotent;
                  proxy_intercept_errors on;
                  error_page 503 = @retry_503;
        INTERCEPT(ner_api)        }
                location @retry_503 {
                  if ($ner_second_try = "") {
                    return 502; # every replica was tried: the gateway's 503 UNAVAILABLE
                  }
                  proxy_next_upstream error timeout http_502 non_idempotent;
                  proxy_intercept_errors on;
                  error_page 503 = @last_503;
        INTERCEPT($ner_second_try)        }
                location @last_503 {
                  if ($ner_third_try = "") {
                    return 502;
                  }
                  # The last attempt's 503 (with its Retry-After) goes to the client as it is.
                  proxy_next_upstream error timeout http_502 non_idempotent;
        PASS($ner_third_try)        }
                # A 413 where errors are intercepted: nginx's own (a body over client_max_body_size,
                # no replica asked yet) gets the gateway's JSON; a replica's own (TEXT_TOO_LONG,
                # TOO_MANY_TEXTS...) was intercepted only because 503s are, so the request is asked
                # again without interception and the replica's answer reaches the client unchanged.
                location @413 {
                  default_type application/json;
                  if ($upstream_status = "") {
                    return 413 '{"error":{"code":"BODY_TOO_LARGE","message":"the request body is too large"}}';
                  }
                  proxy_next_upstream error timeout http_502 non_idempotent;
        PASS(ner_api)        }
        """;
    java.util.regex.Matcher marker =
        java.util.regex.Pattern.compile("(PASS|INTERCEPT)\\(([^)]*)\\)").matcher(proxying);
    StringBuilder locations = new StringBuilder();
    while (marker.find()) {
      String block = marker.group(1).equals("PASS") ? passThrough : intercepting;
      marker.appendReplacement(
          locations,
          java.util.regex.Matcher.quoteReplacement(block.replace("TARGET", marker.group(2))));
    }
    marker.appendTail(locations);
    String retryMaps = retryTargets.toString();
    return """
        # Written by the HA suite (dev.nersuite.ha.NginxGateway): a production-like gateway for ner-api.
        worker_processes 1;
        pid DIR/nginx.pid;
        error_log DIR/error.log notice;
        events { worker_connections 2048; }

        http {
          # One line per client request: every upstream attempt, its status and time, in order.
          log_format ha '$msec $status $request_time "$upstream_addr" "$upstream_status" '
                        '"$upstream_response_time" "$request_method" "$http_x_ha_request"';
          access_log DIR/access.log ha;
          client_body_temp_path DIR/tmp/client_body;
          proxy_temp_path DIR/tmp/proxy;
          fastcgi_temp_path DIR/tmp/fastcgi;
          uwsgi_temp_path DIR/tmp/uwsgi;
          scgi_temp_path DIR/tmp/scgi;
          server_tokens off;
          recursive_error_pages on;

          # Twice the service's own body limit (2 MB), as the Helm chart's Ingress sets it: bodies
          # up to 4 MB reach the service, which answers its own JSON 413; larger ones nginx refuses.
          client_max_body_size 4m;
          client_body_buffer_size 256k;
          client_header_timeout 10s;
          client_body_timeout 10s;
          keepalive_timeout 30s;

          # Passive health checks: MAX_FAILS failed attempts within fail_timeout take a replica
          # out of rotation for fail_timeout; then one request probes it again.
        UPSTREAMS
        RETRY_MAPS

          server {
            listen 127.0.0.1:PORT;

        PROXYING
            # Errors nginx finds before a location is chosen (request line, headers) and requests
            # for its internal error pages get the API's JSON error body too. URIs, not named
            # locations: an error in the request line leaves no URI to keep.
            error_page 400 /_gateway/400;
            error_page 404 /_gateway/404;
            error_page 405 /_gateway/405;
            error_page 408 /_gateway/408;
            error_page 411 /_gateway/411;
            error_page 413 /_gateway/413;
            error_page 414 /_gateway/414;
            error_page 494 /_gateway/494;
            error_page 501 /_gateway/501;
            error_page 502 504 =503 /_gateway/unavailable;

            location ^~ /_gateway/ {
              internal;
              default_type application/json;
              location = /_gateway/unavailable {
                add_header Retry-After 1 always;
                return 503 '{"error":{"code":"UNAVAILABLE","message":"no replica could answer; retry shortly"}}';
              }
              location = /_gateway/400 {
                return 400 '{"error":{"code":"BAD_REQUEST","message":"the gateway could not parse the request"}}';
              }
              location = /_gateway/404 {
                return 404 '{"error":{"code":"NOT_FOUND","message":"no such endpoint"}}';
              }
              location = /_gateway/405 {
                return 405 '{"error":{"code":"METHOD_NOT_ALLOWED","message":"this method is not allowed"}}';
              }
              location = /_gateway/408 {
                return 408 '{"error":{"code":"REQUEST_TIMEOUT","message":"the request was not received in time"}}';
              }
              location = /_gateway/411 {
                return 411 '{"error":{"code":"LENGTH_REQUIRED","message":"the request needs a Content-Length"}}';
              }
              location = /_gateway/413 {
                return 413 '{"error":{"code":"BODY_TOO_LARGE","message":"the request body is too large"}}';
              }
              location = /_gateway/414 {
                return 414 '{"error":{"code":"URI_TOO_LONG","message":"the request URI is too long"}}';
              }
              location = /_gateway/494 {
                return 431 '{"error":{"code":"HEADERS_TOO_LARGE","message":"the request headers are too large"}}';
              }
              location = /_gateway/501 {
                return 501 '{"error":{"code":"NOT_IMPLEMENTED","message":"the gateway does not support this request"}}';
              }
            }
          }
        }
        """
        .replace("PROXYING\n", locations.toString())
        .replace("UPSTREAMS\n", upstreams.toString())
        .replace("RETRY_MAPS\n", retryMaps)
        .replace("DIR", dir.toString())
        .replace("PORT", Integer.toString(port));
  }

  /** One upstream group of the given replicas, with the passive checks and a keep-alive pool. */
  private static String upstream(String name, List<Integer> ports) {
    StringBuilder block = new StringBuilder("  upstream ").append(name).append(" {\n");
    for (int upstream : ports) {
      block
          .append("    server 127.0.0.1:")
          .append(upstream)
          .append(" max_fails=")
          .append(MAX_FAILS)
          .append(" fail_timeout=")
          .append(FAIL_TIMEOUT_SECONDS)
          .append("s;\n");
    }
    return block.append("    keepalive 16;\n  }\n").toString();
  }

  /** Debian's nginx version, as {@code nginx -v} prints it (for the figures' machine line). */
  static String version() {
    try {
      Process process = new ProcessBuilder("nginx", "-v").redirectErrorStream(true).start();
      String out =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      process.waitFor();
      return out.replace("nginx version: ", "");
    } catch (IOException e) {
      return "nginx ?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "nginx ?";
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  Path accessLog() {
    return dir.resolve("access.log");
  }

  Path errorLog() {
    return dir.resolve("error.log");
  }

  /**
   * Re-reads the configuration ({@code nginx -s reload}); counts of failed attempts start over.
   * Returns once the old worker processes have exited: they close their idle keep-alive client
   * connections, and a client that sends on one at that moment gets no answer at all (a race of
   * every nginx reload, not of the replicas; it failed one request of the slow-start scenario).
   * Waiting, plus a moment for the client's pool to see those connections closed, keeps the next
   * stream off them.
   */
  void reload() {
    List<ProcessHandle> oldWorkers = master.toHandle().children().toList();
    run("-s", "reload");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (oldWorkers.stream().anyMatch(ProcessHandle::isAlive)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("nginx's old workers did not exit within 10 s of reload");
      }
      ReplicaProcess.sleep(Duration.ofMillis(20));
    }
    ReplicaProcess.sleep(Duration.ofMillis(300));
  }

  private List<String> command(String... extra) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "nginx",
                "-p",
                dir.toString(),
                "-c",
                dir.resolve("nginx.conf").toString(),
                "-e",
                dir.resolve("error.log").toString()));
    command.addAll(List.of(extra));
    return command;
  }

  private void run(String... arguments) {
    try {
      Process process = new ProcessBuilder(command(arguments)).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(
            "nginx " + String.join(" ", arguments) + " failed:\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run nginx", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void awaitListening(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!master.isAlive()) {
        throw new IllegalStateException("nginx exited at start; see " + errorLog());
      }
      // Any HTTP answer means nginx listens (the replicas may still be loading).
      if (ControlClient.status(uri("/q/health/live"), Duration.ofSeconds(2)) > 0) {
        return;
      }
      ReplicaProcess.sleep(Duration.ofMillis(50));
    }
    throw new IllegalStateException(
        "nginx does not answer on port " + port + "; see " + errorLog());
  }

  @Override
  public void close() {
    if (master == null) {
      return;
    }
    List<ProcessHandle> workers = master.descendants().toList();
    master.destroy(); // SIGTERM: nginx's fast shutdown, the master stops its workers
    try {
      if (!master.waitFor(10, TimeUnit.SECONDS)) {
        master.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      master.destroyForcibly();
    }
    workers.forEach(ProcessHandle::destroyForcibly);
  }
}
