package dev.nersuite.ner.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nersuite.ner.config.NerConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The optional API key: when {@code ner.auth.api-keys} is set, every request under {@code /api/}
 * must carry one of the keys as {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>},
 * else it is answered 401 {@code UNAUTHORIZED} with {@code WWW-Authenticate: Bearer}. Health,
 * metrics, OpenAPI and the WebUI's files stay open (the chart's NetworkPolicy guards them). Keys
 * are compared as SHA-256 digests with {@link MessageDigest#isEqual}, against every configured key,
 * so the time taken says nothing about how much of a key was right. Thread-safe (immutable after
 * start-up).
 */
@ApplicationScoped
public class ApiKeyGuard {
  private static final Logger LOG = Logger.getLogger(ApiKeyGuard.class);

  /** After the body-size check ({@link BodySizeGuard}), before the overload check. */
  static final int ROUTE_ORDER = 0;

  static final String API_KEY_HEADER = "X-API-Key";
  private static final String BEARER = "bearer ";

  @Inject NerConfig config;
  @Inject ObjectMapper mapper;

  void install(@Observes Router router) throws JsonProcessingException {
    List<byte[]> keys =
        config.auth().apiKeys().orElse(List.of()).stream()
            .map(String::strip)
            .filter(key -> !key.isEmpty())
            .map(ApiKeyGuard::digest)
            .toList();
    if (keys.isEmpty()) {
      return;
    }
    LOG.infof("API keys required on /api/ (%d key(s) configured)", keys.size());
    Buffer body =
        Buffer.buffer(
            mapper.writeValueAsBytes(
                ErrorResponse.of(
                    "UNAUTHORIZED",
                    "a valid API key is required: Authorization: Bearer <key> or X-API-Key: <key>")));
    router
        .routeWithRegex("/api/.*")
        .order(ROUTE_ORDER)
        .handler(
            context -> {
              if (authorized(context.request(), keys)) {
                context.next();
              } else {
                refuse(context, body);
              }
            });
  }

  static boolean authorized(HttpServerRequest request, List<byte[]> keys) {
    String presented = request.getHeader(API_KEY_HEADER);
    if (presented != null && presented.isBlank()) {
      presented = null; // an empty X-API-Key header is no key: a Bearer key may follow
    }
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (presented == null
        && authorization != null
        && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      presented = authorization.substring(BEARER.length()).strip();
    }
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    return matchesAny(digest(presented.strip()), keys);
  }

  /** Compares with every key, without stopping at the first match. */
  static boolean matchesAny(byte[] presented, List<byte[]> keys) {
    boolean found = false;
    for (byte[] key : keys) {
      found |= MessageDigest.isEqual(presented, key);
    }
    return found;
  }

  static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  /** Answers once the body has arrived (read, not parsed), as {@link OverloadGuard} does. */
  private static void refuse(RoutingContext context, Buffer body) {
    Runnable answer =
        () -> {
          if (!context.response().ended()) {
            context
                .response()
                .setStatusCode(401)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader("WWW-Authenticate", "Bearer")
                .end(body);
          }
        };
    HttpServerRequest request = context.request();
    if (request.isEnded()) {
      answer.run();
    } else {
      request.handler(ignored -> {}).endHandler(ended -> answer.run()).resume();
    }
  }
}
