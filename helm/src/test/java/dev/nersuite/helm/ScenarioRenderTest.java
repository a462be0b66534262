package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every values scenario renders, every object (the {@code helm test} pod included) validates
 * against the Kubernetes 1.32 models, and the render follows {@link ManifestPolicy}.
 */
class ScenarioRenderTest {

  private final ChartRenderer renderer = new ChartRenderer();

  @ParameterizedTest
  @EnumSource(Scenario.class)
  void rendersValidObjects(Scenario scenario) {
    List<KubeObject> objects = renderer.renderWithHooks(scenario);

    assertThat(objects).extracting(KubeObject::kind).contains("Deployment", "Service", "Pod");
    List<String> errors =
        objects.stream()
            .map(KubernetesSchemaValidator::validate)
            .flatMap(Optional::stream)
            .toList();
    assertThat(errors).as("schema errors in %s", scenario).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Scenario.class)
  void followsThePolicy(Scenario scenario) {
    List<KubeObject> objects = renderer.renderWithHooks(scenario);

    assertThat(ManifestPolicy.check(objects)).as("policy violations in %s", scenario).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Scenario.class)
  void hasTheHelmTestPodCallingTheApi(Scenario scenario) {
    List<KubeObject> hooks =
        renderer.renderWithHooks(scenario).stream().filter(KubeObject::isHook).toList();

    assertThat(hooks).extracting(KubeObject::id).containsExactly("Pod/ner-suite-test-api");
    String script = hooks.get(0).container("test-api").getAsJsonArray("command").toString();
    assertThat(script).contains("$API_URL/api/v1/ner", "$API_URL/q/health/ready");
    assertThat(KubeObject.env(hooks.get(0).container("test-api"), "API_URL"))
        .contains("http://ner-suite-api:8080");
  }
}
