package dev.nersuite.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuantitiesTest {
  @Test
  void memoryInMebibytes() {
    assertThat(Quantities.mebibytes("524288Ki")).isEqualTo(512);
    assertThat(Quantities.mebibytes("1Gi")).isEqualTo(1024);
    assertThat(Quantities.mebibytes("768Mi")).isEqualTo(768);
    assertThat(Quantities.mebibytes("1048576")).isEqualTo(1);
  }

  @Test
  void cpuInMillicores() {
    assertThat(Quantities.millicores("250m")).isEqualTo(250);
    assertThat(Quantities.millicores("2")).isEqualTo(2000);
    assertThat(Quantities.millicores("1.5")).isEqualTo(1500);
    assertThat(Quantities.millicores("123456789n")).isEqualTo(123);
  }
}
