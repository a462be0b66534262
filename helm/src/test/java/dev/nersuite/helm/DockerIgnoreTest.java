package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .dockerignore reader follows Docker's rules (order, parents, exceptions, **). */
class DockerIgnoreTest {

  @Test
  void lastMatchingRuleWinsAndParentsCount(@TempDir Path directory) throws IOException {
    Path file = directory.resolve(".dockerignore");
    Files.writeString(
        file, "# comment\n**/target/\n!app/target/keep/\n*.log\n/docs\nsecret?.txt\n");
    DockerIgnore ignore = DockerIgnore.read(file);

    assertThat(ignore.excludes("target/x")).isTrue();
    assertThat(ignore.excludes("a/b/target/c/d")).isTrue();
    assertThat(ignore.excludes("app/target/keep/file")).isFalse();
    assertThat(ignore.excludes("app/target/other")).isTrue();
    assertThat(ignore.excludes("build.log")).isTrue();
    assertThat(ignore.excludes("sub/build.log")).isFalse();
    assertThat(ignore.excludes("docs/readme.md")).isTrue();
    assertThat(ignore.excludes("secret1.txt")).isTrue();
    assertThat(ignore.excludes("secret12.txt")).isFalse();
    assertThat(ignore.excludes("src/targets/x")).isFalse();
  }

  @Test
  void readsInstructionsStagesAndEnv() {
    Dockerfile dockerfile =
        Dockerfile.parse(
            """
            # syntax=docker/dockerfile:1
            ARG BASE=example.org/base:1
            FROM ${BASE} AS build
            RUN make \\
                all
            FROM scratch
            ENV A=1 B="two words" \\
                C=/tmp/c
            ENV LEGACY value with spaces
            USER 185
            """);

    assertThat(dockerfile.globalArgs()).containsEntry("BASE", "example.org/base:1");
    assertThat(dockerfile.stages()).extracting(Dockerfile.Stage::name).containsExactly("build", "");
    assertThat(dockerfile.stages().get(0).arguments("RUN")).containsExactly("make all");
    assertThat(dockerfile.finalStage().env())
        .containsEntry("A", "1")
        .containsEntry("B", "two words")
        .containsEntry("C", "/tmp/c")
        .containsEntry("LEGACY", "value with spaces");
    assertThat(dockerfile.finalStage().last("USER")).hasValue("185");
  }
}
