package dev.nersuite.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.UpgradeCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart's release, driven by real Helm (helm-java: Helm 3's own Go code, in process) against
 * the cluster. Every install and upgrade passes the single-node values file (and any test values
 * file a scenario added), the images the tier built, and every value a scenario changed so far, so
 * the release always says what runs. Not thread-safe: the test thread drives it.
 */
final class HelmRelease {
  private final E2eSettings settings;
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final List<Path> valuesFiles = new ArrayList<>();

  HelmRelease(E2eSettings settings) {
    this.settings = settings;
    valuesFiles.add(settings.values());
    values.putAll(imageValues(settings.imageTag()));
  }

  /** The images e2e/cluster/images.sh built and imported into every node (no registry). */
  static Map<String, Object> imageValues(String tag) {
    Map<String, Object> images = new LinkedHashMap<>();
    images.put("api.image.repository", "localhost/ner-suite/ner-api");
    images.put("api.image.tag", tag);
    images.put("webui.image.repository", "localhost/ner-suite/ner-webui");
    images.put("webui.image.tag", tag);
    return images;
  }

  /** {@code helm install} (no wait: the scenario measures the time to Ready itself). */
  Release install() {
    InstallCommand install =
        new Helm(settings.chart())
            .install()
            .withName(settings.release())
            .withNamespace(settings.namespace())
            .createNamespace()
            .withKubeConfig(settings.kubeconfig());
    valuesFiles.forEach(install::withValuesFile);
    values.forEach(install::set);
    return install.call();
  }

  /** {@code helm upgrade} with {@code changes} added to the values set so far (no wait). */
  Release upgrade(Map<String, Object> changes) {
    return upgrade(changes, List.of());
  }

  /**
   * {@code helm upgrade} with {@code files} layered over the values files so far, then every value
   * set so far plus {@code changes} (no wait).
   */
  Release upgrade(Map<String, Object> changes, List<Path> files) {
    values.putAll(changes);
    valuesFiles.addAll(files);
    UpgradeCommand upgrade =
        new Helm(settings.chart())
            .upgrade()
            .withName(settings.release())
            .withNamespace(settings.namespace())
            .withKubeConfig(settings.kubeconfig());
    valuesFiles.forEach(upgrade::withValuesFile);
    values.forEach(upgrade::set);
    return upgrade.call();
  }

  /** {@code helm test}: the chart's test pod calls the API through its Service. */
  Release test() {
    return Helm.test(settings.release())
        .withNamespace(settings.namespace())
        .withKubeConfig(settings.kubeconfig())
        .withTimeout(300)
        .call();
  }

  void uninstall() {
    Helm.uninstall(settings.release())
        .withNamespace(settings.namespace())
        .withKubeConfig(settings.kubeconfig())
        .ignoreNotFound()
        .call();
  }

  /** The values set on top of the values file, for the report. */
  Map<String, Object> values() {
    return Map.copyOf(values);
  }
}
