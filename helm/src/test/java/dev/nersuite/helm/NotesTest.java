package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NOTES.txt, as {@code helm install} prints it (a client-only dry run: no cluster needed), tells
 * the user how to reach the UI and the API and how scaling works for the values given.
 */
class NotesTest {

  private static String notes(Scenario scenario, Map<String, Object> sets) {
    InstallCommand install =
        new Helm(RepositoryPaths.chart())
            .install()
            .withName(ChartRenderer.RELEASE)
            .withNamespace("ner")
            .withKubeVersion(scenario.kubeVersion())
            .clientOnly()
            .dryRun();
    scenario.valuesFile().ifPresent(install::withValuesFile);
    sets.forEach(install::set);
    String output = install.call().getOutput();
    assertThat(output).contains("NOTES:");
    return output.substring(output.indexOf("NOTES:"));
  }

  @Test
  void defaultsPointAtTheIngressAndTheHpa() {
    String notes = notes(Scenario.DEFAULTS, Map.of());

    assertThat(notes)
        .contains("kubectl -n ner rollout status deployment/ner-suite-api")
        .contains("WebUI:       http://<ingress address>/")
        .contains("API:         http://<ingress address>/api/v1/ner")
        .contains("Swagger UI:  http://<ingress address>/q/swagger-ui")
        .contains("kubectl -n ner port-forward service/ner-suite-api 8080:8080")
        .contains("helm test ner-suite -n ner")
        .contains("the HorizontalPodAutoscaler owns the API's replica count (2-10");
  }

  @Test
  void tlsHostIsPrintedWithHttps() {
    assertThat(notes(Scenario.INGRESS_TLS, Map.of()))
        .contains("WebUI:       https://ner.example.com/")
        .contains("API:         https://ner.example.com/api/v1/ner");
  }

  @Test
  void withoutIngressOrHpaItExplainsPortForwardAndKubectlScale() {
    String notes = notes(Scenario.FIXED_REPLICAS, Map.of("ingress.enabled", "false"));

    assertThat(notes)
        .contains("No Ingress")
        .contains("kubectl -n ner port-forward service/ner-suite-webui 8081:80")
        .contains("kubectl -n ner scale deployment/ner-suite-api --replicas=N")
        .contains("resets it to api.replicaCount")
        .doesNotContain("HorizontalPodAutoscaler owns");
  }

  @Test
  void observabilityAndKedaAreNamed() {
    assertThat(notes(Scenario.OBSERVABILITY, Map.of()))
        .contains("the Grafana dashboard \"NER API\" (ConfigMap ner-suite-api-dashboard)")
        .contains("alerts in PrometheusRule ner-suite-api")
        .contains("traces to http://otel-collector.observability.svc:4318")
        .contains("24 requests in flight per pod (needs prometheus-adapter");
    assertThat(notes(Scenario.KEDA, Map.of()))
        .contains("HorizontalPodAutoscaler (created by KEDA's ScaledObject)")
        .contains("16 requests in flight per pod (KEDA queries Prometheus)");
    assertThat(notes(Scenario.DEFAULTS, Map.of())).doesNotContain("Observability:");
  }
}
