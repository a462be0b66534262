package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
  @TempDir Path copy;

  private void copyLookupBundle() throws IOException {
    Path source = TestBundles.resource("lookup-bundle");
    for (String file : new String[] {"model.onnx", "tokenizer.json", "ner-model.json"}) {
      Files.copy(source.resolve(file), copy.resolve(file));
    }
  }

  @Test
  void aShorterWindowCutsLongTextsIntoMoreRowsAndTooShortOrTooLongIsRefused() {
    ModelBundle bundle = ModelBundle.fromDirectory(TestBundles.resource("golden/tiny-bert"));
    String text = "李明在北京大学读书。".repeat(30);
    try (EntityRecognizer full = bundle.open(1, 512);
        EntityRecognizer shorter = bundle.open(1, 512, 32)) {
      assertThat(full.prepare(text).rows()).allMatch(row -> row.length <= 128);
      assertThat(shorter.prepare(text).rows())
          .hasSizeGreaterThan(full.prepare(text).rows().size())
          .allMatch(row -> row.length <= 32);
      // a text that fits the shorter window is one row either way
      assertThat(shorter.prepare("李明在北京大学读书。").rows()).hasSize(1);
    }
    assertThatThrownBy(() -> bundle.open(1, 512, 8)).isInstanceOf(ModelBundleException.class);
    assertThatThrownBy(() -> bundle.open(1, 512, 129)).isInstanceOf(ModelBundleException.class);
  }

  @Test
  void aValidBundleLoadsWithItsMetadata() {
    ModelBundle bundle = TestBundles.lookup();
    assertThat(bundle.metadata().name()).isEqualTo("lookup-test");
    assertThat(bundle.metadata().labels()).hasSize(13);
  }

  @Test
  void aModelThatFailsItsIntegrityCheckIsRefused() throws IOException {
    copyLookupBundle();
    byte[] model = Files.readAllBytes(copy.resolve("model.onnx"));
    model[model.length - 1] ^= 1;
    Files.write(copy.resolve("model.onnx"), model);
    assertThatThrownBy(() -> ModelBundle.fromDirectory(copy))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("integrity check");
  }

  @Test
  void aMissingFileIsNamed() throws IOException {
    copyLookupBundle();
    Files.delete(copy.resolve("tokenizer.json"));
    assertThatThrownBy(() -> ModelBundle.fromDirectory(copy))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("tokenizer.json");
  }

  @Test
  void aMissingDirectoryIsNamed() {
    assertThatThrownBy(() -> ModelBundle.fromDirectory(copy.resolve("nope")))
        .isInstanceOf(ModelBundleException.class)
        .hasMessageContaining("not found");
  }

  @Test
  void metadataThatBreaksTheContractIsRefused() throws IOException {
    copyLookupBundle();
    Path metadata = copy.resolve("ner-model.json");
    String original = Files.readString(metadata);
    Files.writeString(metadata, original.replace("\"format\": 1", "\"format\": 2"));
    assertThatThrownBy(() -> ModelBundle.fromDirectory(copy)).hasMessageContaining("format 2");
    Files.writeString(metadata, original.replace("\"BIOES\"", "\"IOB2\""));
    assertThatThrownBy(() -> ModelBundle.fromDirectory(copy)).hasMessageContaining("scheme");
    Files.writeString(metadata, original.replace("\"S-PER\"", "\"SPER\""));
    assertThatThrownBy(() -> ModelBundle.fromDirectory(copy)).hasMessageContaining("SPER");
  }

  @Test
  void emissionsWithTheWrongLabelCountAreRefused() throws IOException {
    copyLookupBundle();
    Path metadata = copy.resolve("ner-model.json");
    String original = Files.readString(metadata);
    // Drop one label and the matching CRF entries: the graph still says 13.
    ModelMetadata parsed =
        new com.fasterxml.jackson.databind.ObjectMapper().readValue(original, ModelMetadata.class);
    int keep = parsed.labels().size() - 1;
    float[][] transitions = new float[keep][keep];
    ModelMetadata shorter =
        new ModelMetadata(
            1,
            "short",
            "1",
            null,
            null,
            parsed.labels().subList(0, keep),
            "BIOES",
            new ModelMetadata.Crf(new float[keep], new float[keep], transitions),
            32,
            "NFKC",
            parsed.modelSha256(),
            null,
            null,
            null);
    Files.writeString(
        metadata, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(shorter));
    ModelBundle bundle = ModelBundle.fromDirectory(copy);
    assertThatThrownBy(() -> bundle.open(1, 1)).hasMessageContaining("emissions must be");
  }
}
