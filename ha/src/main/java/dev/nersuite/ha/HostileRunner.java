package dev.nersuite.ha;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nersuite.ha.HostileCorpus.HostileRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sends the hostile corpus, one request at a time, to the gateway or straight to a replica, and
 * judges every answer against the API's promise: no 5xx; every error a 4xx with a JSON body {@code
 * {"error":{"code","message"}}} whose code is one the API documents; a 200 only with a well-formed
 * result. Thread-safe (stateless).
 */
public final class HostileRunner {
  /** The error codes the API documents (README), which clients may rely on. */
  public static final Set<String> SERVICE_CODES =
      Set.of(
          "MALFORMED_JSON",
          "INVALID_FIELD",
          "UNKNOWN_FIELD",
          "MISSING_BODY",
          "MISSING_FIELD",
          "BLANK_TEXT",
          "EMPTY_BATCH",
          "INVALID_TEXT",
          "UNKNOWN_MODEL",
          "UNAUTHORIZED",
          "NOT_FOUND",
          "MODEL_NOT_FOUND",
          "METHOD_NOT_ALLOWED",
          "NOT_ACCEPTABLE",
          "TEXT_TOO_LONG",
          "TOO_MANY_TEXTS",
          "BATCH_TOO_LONG",
          "BODY_TOO_LARGE",
          "UNSUPPORTED_MEDIA_TYPE",
          "NOT_READY",
          "OVERLOADED",
          "TIMEOUT",
          "SHUTTING_DOWN");

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private HostileRunner() {}

  /**
   * Whether an answer without the JSON error body is one agreed with the service's owner as a known
   * limitation of the HTTP layer below the API (counted and reported apart, not as a failure): a
   * request line over 4 KiB sent straight to a replica gets Vert.x's bare 414. Anything else
   * without the JSON body is a failure (a chunked body over the limit was one, and is fixed).
   */
  public static boolean isKnownLimitation(int status, boolean direct) {
    // Refused by the HTTP codec before any handler of the service runs, and Quarkus offers no hook
    // for that answer (docs/adr/0004). Through the gateway it gets a JSON answer.
    return direct && status == 414;
  }

  /**
   * One hostile request's answer.
   *
   * @param code the JSON error code, "" when none
   * @param problem what broke the API's promise, or null
   * @param knownLimitation the documented bare 414 of an over-long request line, sent straight to a
   *     replica (counted apart, not a failure)
   */
  public record Answer(
      HostileRequest request,
      int status,
      String code,
      String problem,
      boolean knownLimitation,
      double millis) {}

  /**
   * Sends every request to {@code base}; {@code direct} says the target is a replica itself. {@code
   * gatewayCodes} are the JSON error codes of the errors the gateway in front answers itself (none
   * when direct).
   *
   * @param tag prefix of the {@code X-HA-Request} header, {@code tag-index}
   */
  public static List<Answer> run(
      String base,
      List<HostileRequest> corpus,
      String tag,
      boolean direct,
      Collection<String> gatewayCodes) {
    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      answers.add(send(base, corpus.get(i), tag + "-" + i, direct, gatewayCodes));
    }
    return answers;
  }

  private static Answer send(
      String base,
      HostileRequest hostile,
      String tag,
      boolean direct,
      Collection<String> gatewayCodes) {
    long started = System.nanoTime();
    RawHttp.Response response;
    try {
      response =
          RawHttp.exchange(
              URI.create(base + hostile.path()),
              hostile.method(),
              hostile.contentType(),
              hostile.accept(),
              Map.of("X-HA-Request", tag),
              hostile.body(),
              hostile.chunked(),
              TIMEOUT);
    } catch (IOException e) {
      return new Answer(hostile, -1, "", "no answer: " + e, false, millisSince(started));
    }
    double millis = millisSince(started);
    int status = response.status();
    JsonNode json = parse(response.body());
    String code = json == null ? "" : json.path("error").path("code").asText("");
    if (status >= 500) {
      return new Answer(hostile, status, code, "5xx: " + excerpt(response.body()), false, millis);
    }
    if (status >= 400) {
      String problem = errorBodyProblem(response, json, code, gatewayCodes);
      boolean known = problem != null && isKnownLimitation(status, direct);
      return new Answer(hostile, status, code, known ? null : problem, known, millis);
    }
    if (status == 200 && hostile.isRecognition()) {
      String problem = resultProblem(json, hostile.path().equals(HostileCorpus.BATCH));
      return new Answer(
          hostile,
          status,
          code,
          problem == null ? null : problem + ": " + excerpt(response.body()),
          false,
          millis);
    }
    return new Answer(hostile, status, code, null, false, millis);
  }

  /** Null when the error answer is the API's JSON error with a documented code. */
  private static String errorBodyProblem(
      RawHttp.Response response, JsonNode json, String code, Collection<String> gatewayCodes) {
    String type = response.header("Content-Type");
    if (json == null || !json.path("error").path("message").isTextual() || code.isEmpty()) {
      return "error without the JSON error body (Content-Type '"
          + type
          + "'): "
          + excerpt(response.body());
    }
    if (!type.startsWith("application/json")) {
      return "JSON error body sent as Content-Type '" + type + "'";
    }
    if (!SERVICE_CODES.contains(code) && !gatewayCodes.contains(code)) {
      return "error code " + code + " is not one the API documents";
    }
    return null;
  }

  /** Null when a 200 body is a well-formed recognition result. */
  private static String resultProblem(JsonNode json, boolean batch) {
    if (json == null) {
      return "200 whose body is not JSON";
    }
    List<JsonNode> entityLists = new ArrayList<>();
    if (batch) {
      if (!json.path("results").isArray() || json.path("results").isEmpty()) {
        return "200 without results";
      }
      json.path("results").forEach(result -> entityLists.add(result.path("entities")));
    } else {
      entityLists.add(json.path("entities"));
    }
    try {
      for (JsonNode entities : entityLists) {
        for (NewsCorpus.Entity entity : NewsCorpus.parseEntities(entities)) {
          if (entity.start() < 0
              || entity.end() <= entity.start()
              || entity.span().codePointCount(0, entity.span().length())
                  != entity.end() - entity.start()) {
            return "entity with inconsistent offsets " + entity;
          }
        }
      }
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode node = ControlClient.JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static double millisSince(long started) {
    return (System.nanoTime() - started) / 1e6;
  }

  public static String excerpt(String body) {
    String oneLine = body.replace("\n", " ");
    return oneLine.length() <= 160 ? oneLine : oneLine.substring(0, 160) + "…";
  }
}
