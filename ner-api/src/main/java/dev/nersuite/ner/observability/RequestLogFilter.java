package dev.nersuite.ner.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nersuite.ner.config.NerConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Gives every API request an id and logs one line when its response ends. Thread-safe (stateless;
 * per-request data lives in the request's {@link RoutingContext}).
 *
 * <p>The id is the caller's {@code X-Request-Id} when it is a plausible id (up to 128 characters of
 * letters, digits and {@code ._:;=+/@-}, as gateways and tracing headers make them), otherwise a
 * new random UUID; it is returned in the response's {@code X-Request-Id} and is the {@code
 * request_id} field of every log record written while the request is handled. The line itself
 * carries {@code request_id}, {@code method}, {@code path}, {@code status}, {@code latency_ms} and,
 * when the request reached a model, {@code model}; with {@code ner.logging.texts} also {@code
 * texts}. Never the texts otherwise: they may be personal data.
 *
 * <p>Runs before every other route of the API (the body-size and overload guards included), so
 * refused requests get an id and a line too.
 */
@ApplicationScoped
public class RequestLogFilter {
  private static final Logger LOG = Logger.getLogger(RequestLogFilter.class);

  /** The request and response header carrying the request id. */
  public static final String HEADER = "X-Request-Id";

  /** MDC keys, which are the JSON log fields under {@code mdc}. */
  public static final String REQUEST_ID = "request_id";

  static final String MODEL = "model";
  static final String TEXTS = "texts";
  private static final List<String> LINE_FIELDS =
      List.of("method", "path", "status", "latency_ms", MODEL, TEXTS);

  /** RoutingContext keys under which the REST layer leaves what the line reports. */
  static final String MODEL_KEY = "ner.log.model";

  static final String TEXTS_KEY = "ner.log.texts";

  private static final Pattern ACCEPTED_ID = Pattern.compile("[A-Za-z0-9._:;=+/@-]{1,128}");

  @Inject NerConfig config;
  @Inject ObjectMapper mapper;

  /**
   * Registered before the other observers of the router (BodySizeGuard's route has the same order),
   * so this route comes first.
   */
  void install(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) Router router) {
    router.routeWithRegex("/api/.*").order(Integer.MIN_VALUE).handler(this::handle);
  }

  private void handle(RoutingContext context) {
    String id = requestId(context.request().getHeader(HEADER));
    context.response().putHeader(HEADER, id);
    MDC.put(REQUEST_ID, id);
    if (config.logging().requests()) {
      long started = System.nanoTime();
      context.addEndHandler(ended -> log(context, id, started));
    }
    context.next();
  }

  /** The caller's id when it looks like one, otherwise a new one. */
  static String requestId(String header) {
    if (header != null && ACCEPTED_ID.matcher(header).matches()) {
      return header;
    }
    return UUID.randomUUID().toString();
  }

  /** Records the served model's name for the request's log line. */
  public static void model(RoutingContext context, String name) {
    context.put(MODEL_KEY, name);
  }

  /** Records the request's texts for its log line; kept only when {@code ner.logging.texts}. */
  public void texts(RoutingContext context, List<String> texts) {
    if (config.logging().texts()) {
      context.put(TEXTS_KEY, texts);
    }
  }

  private void log(RoutingContext context, String id, long started) {
    double millis = (System.nanoTime() - started) / 1e6;
    int status = context.response().getStatusCode();
    String method = context.request().method().name();
    String path = context.request().path();
    String model = context.get(MODEL_KEY);
    List<String> texts = context.get(TEXTS_KEY);
    // The end handler may run outside the request's own logging context: set every field here and
    // take them off again, so nothing leaks into another request's records.
    MDC.put(REQUEST_ID, id);
    MDC.put("method", method);
    MDC.put("path", path);
    MDC.put("status", Integer.toString(status));
    MDC.put("latency_ms", String.format(Locale.ROOT, "%.3f", millis));
    if (model != null) {
      MDC.put(MODEL, model);
    }
    if (texts != null) {
      MDC.put(TEXTS, json(texts));
    }
    try {
      LOG.infof(
          "%s %s %d %.1f ms%s (request %s)",
          method, path, status, millis, model == null ? "" : ", model " + model, id);
    } finally {
      MDC.remove(REQUEST_ID);
      LINE_FIELDS.forEach(MDC::remove);
    }
  }

  private String json(List<String> texts) {
    try {
      return mapper.writeValueAsString(texts);
    } catch (JsonProcessingException e) {
      return String.valueOf(texts.size()) + " texts (not serializable)";
    }
  }
}
