package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** values.yaml is documented and typed; the scenario files under ci/ are all exercised. */
class ValuesFileTest {

  private static List<String> valuesLines() throws IOException {
    return Files.readAllLines(RepositoryPaths.chart().resolve("values.yaml"));
  }

  @Test
  void firstLineIsTheSchemaModeline() throws IOException {
    assertThat(valuesLines().get(0))
        .isEqualTo("# yaml-language-server: $schema=values.schema.json");
  }

  @Test
  void everyKeyHasADocComment() throws IOException {
    assertThat(ValuesDocumentation.undocumentedKeys(valuesLines())).isEmpty();
  }

  @Test
  void theDocCommentCheckFindsAMissingComment() {
    List<String> lines =
        Arrays.asList(
            """
            # -- documented
            a: 1
            b: 2
            # -- a section
            section:
              # -- documented child
              x: 1
              y: 2
            # -- a map documented as one value
            context:
              runAsUser: 1
            # -- a list whose items hold keys
            list:
              - name: n
                value: v
            """
                .split("\n"));

    assertThat(ValuesDocumentation.undocumentedKeys(lines)).containsExactly("b", "section.y");
  }

  @Test
  void schemaClosesEveryObjectItDescribes() throws IOException {
    JsonObject schema =
        JsonParser.parseString(
                Files.readString(RepositoryPaths.chart().resolve("values.schema.json")))
            .getAsJsonObject();
    List<String> open = new ArrayList<>();
    collectOpenObjects(schema, "#", open);

    assertThat(schema.get("additionalProperties").getAsBoolean()).isFalse();
    assertThat(open)
        .as("objects with properties but without additionalProperties: false")
        .isEmpty();
  }

  private static void collectOpenObjects(JsonElement element, String path, List<String> open) {
    if (element.isJsonArray()) {
      for (int i = 0; i < element.getAsJsonArray().size(); i++) {
        collectOpenObjects(element.getAsJsonArray().get(i), path + "/" + i, open);
      }
      return;
    }
    if (!element.isJsonObject()) {
      return;
    }
    JsonObject object = element.getAsJsonObject();
    if (object.has("properties")) {
      JsonElement additional = object.get("additionalProperties");
      if (additional == null || !additional.isJsonPrimitive() || additional.getAsBoolean()) {
        open.add(path);
      }
    }
    for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
      collectOpenObjects(entry.getValue(), path + "/" + entry.getKey(), open);
    }
  }

  @Test
  void everyCiValuesFileIsAScenario() throws IOException {
    List<Path> inScenarios =
        Arrays.stream(Scenario.values()).flatMap(s -> s.valuesFile().stream()).toList();
    try (Stream<Path> files = Files.list(RepositoryPaths.chart().resolve("ci"))) {
      assertThat(files.toList()).containsExactlyInAnyOrderElementsOf(inScenarios);
    }
  }
}
