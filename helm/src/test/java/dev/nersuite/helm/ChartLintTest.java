package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** {@code helm lint --strict}: Chart.yaml, values against the schema, every template renders. */
class ChartLintTest {

  @Test
  void lintStrictIsClean() {
    LintResult result = new Helm(RepositoryPaths.chart()).lint().strict().call();

    assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .as("lint --strict warnings or errors")
        .noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
  }
}
