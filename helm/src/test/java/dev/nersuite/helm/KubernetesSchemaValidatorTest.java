package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 1.32 schema check notices what it is there for. */
class KubernetesSchemaValidatorTest {

  private final List<KubeObject> defaults = new ChartRenderer().render(Scenario.DEFAULTS);

  private KubeObject deployment() {
    return new RenderedRelease(defaults).get("Deployment", "ner-suite-api");
  }

  @Test
  void acceptsTheDefaultRender() {
    assertThat(defaults)
        .allSatisfy(o -> assertThat(KubernetesSchemaValidator.validate(o)).isEmpty());
  }

  @Test
  void rejectsAnUnknownFieldDeepInAContainer() {
    KubeObject deployment = deployment();
    deployment.container("api").getAsJsonObject("startupProbe").addProperty("initialDelay", 5);

    assertThat(KubernetesSchemaValidator.validate(deployment))
        .hasValueSatisfying(e -> assertThat(e).contains("initialDelay"));
  }

  @Test
  void rejectsAMissingRequiredField() {
    KubeObject deployment = deployment();
    deployment.container("api").remove("name");

    assertThat(KubernetesSchemaValidator.validate(deployment))
        .hasValueSatisfying(e -> assertThat(e).contains("name"));
  }

  @Test
  void rejectsAnApiVersionWithoutModel() {
    JsonObject body = deployment().body().deepCopy();
    body.addProperty("apiVersion", "extensions/v1beta1");

    assertThat(KubernetesSchemaValidator.validate(new KubeObject(body, "test")))
        .hasValueSatisfying(
            e ->
                assertThat(e)
                    .contains("no Kubernetes 1.32 model for extensions/v1beta1/Deployment"));
  }
}
