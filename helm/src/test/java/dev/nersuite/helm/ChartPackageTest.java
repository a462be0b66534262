package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code helm package} ships the chart and nothing of the Maven module around it. */
class ChartPackageTest {

  @Test
  void packageHoldsTheChartButNotTheTestModule(@TempDir Path destination) throws IOException {
    new Helm(RepositoryPaths.chart()).packageIt().withDestination(destination).call();

    Path archive = destination.resolve("ner-suite-0.1.0.tgz");
    assertThat(archive).isRegularFile();
    List<String> entries = tarEntries(archive);
    assertThat(entries)
        .contains(
            "ner-suite/Chart.yaml",
            "ner-suite/values.yaml",
            "ner-suite/values.schema.json",
            "ner-suite/README.md",
            "ner-suite/templates/NOTES.txt",
            "ner-suite/templates/api/deployment.yaml",
            "ner-suite/templates/tests/test-api.yaml");
    assertThat(entries)
        .noneMatch(
            e ->
                e.equals("ner-suite/pom.xml")
                    || e.startsWith("ner-suite/src/")
                    || e.startsWith("ner-suite/target/"));
  }

  /** Names in a .tgz (ustar: 512-byte headers, name in the first 100 bytes, prefix at 345). */
  private static List<String> tarEntries(Path archive) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        String name = field(header, 0, 100);
        if (name.isEmpty()) {
          break; // end-of-archive blocks
        }
        String prefix = field(header, 345, 155);
        long size =
            Long.parseLong(
                field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
        names.add(prefix.isEmpty() ? name : prefix + "/" + name);
        long padded = (size + 511) / 512 * 512;
        in.skipNBytes(padded);
      }
    }
    return names;
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }
}
