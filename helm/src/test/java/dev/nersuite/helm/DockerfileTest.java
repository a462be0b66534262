package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Dockerfile.jvm, Dockerfile.native and .dockerignore, checked without a Docker engine: base images
 * are build arguments with public defaults, the images run non-root with the uid, port and
 * environment the chart expects, and the build context keeps what each Dockerfile copies.
 */
class DockerfileTest {

  private static final Pattern IMAGE_ARG = Pattern.compile("^\\$\\{([A-Z_]+)}$");

  private static Dockerfile jvm() throws IOException {
    return Dockerfile.read(RepositoryPaths.root().resolve("Dockerfile.jvm"));
  }

  private static Dockerfile nativeImage() throws IOException {
    return Dockerfile.read(RepositoryPaths.root().resolve("Dockerfile.native"));
  }

  private static KubeObject chartApi() {
    return new RenderedRelease(new ChartRenderer().render(Scenario.DEFAULTS))
        .get("Deployment", "ner-suite-api");
  }

  @Test
  void jvmImageBaseIsABuildArgumentWithAPublicDefault() throws IOException {
    Dockerfile dockerfile = jvm();

    assertThat(dockerfile.stages()).hasSize(1);
    assertBaseIsArgumentWithDefault(dockerfile, dockerfile.stages().get(0));
  }

  @Test
  void nativeImageIsAMultiStageBuild() throws IOException {
    Dockerfile dockerfile = nativeImage();

    assertThat(dockerfile.stages()).hasSize(2);
    Dockerfile.Stage build = dockerfile.stages().get(0);
    assertThat(build.name()).isEqualTo("build");
    assertBaseIsArgumentWithDefault(dockerfile, build);
    assertBaseIsArgumentWithDefault(dockerfile, dockerfile.finalStage());
    assertThat(String.join(" ", build.arguments("RUN")))
        .contains("-pl ner-api", "-Dnative", "package");
    assertThat(dockerfile.finalStage().arguments("COPY"))
        .singleElement()
        .asString()
        .startsWith("--from=build")
        .contains("/project/ner-api/target/*-runner");
  }

  private static void assertBaseIsArgumentWithDefault(
      Dockerfile dockerfile, Dockerfile.Stage stage) {
    Matcher argument = IMAGE_ARG.matcher(stage.from());
    assertThat(argument.matches()).as("FROM %s is a build argument", stage.from()).isTrue();
    String fallback = dockerfile.globalArgs().get(argument.group(1));
    assertThat(fallback)
        .as("default of ARG %s", argument.group(1))
        .isNotBlank()
        .matches("[a-z0-9.-]+\\.[a-z]+/[a-z0-9./_-]+:[A-Za-z0-9._-]+");
  }

  @Test
  void bothImagesRunAsTheChartsNonRootUserOnTheChartsPort() throws IOException {
    KubeObject api = chartApi();
    JsonObject podContext = api.podSpec().orElseThrow().getAsJsonObject("securityContext");
    String chartUser = podContext.get("runAsUser").getAsString();
    int chartPort =
        api.container("api")
            .getAsJsonArray("ports")
            .get(0)
            .getAsJsonObject()
            .get("containerPort")
            .getAsInt();

    for (Dockerfile dockerfile : List.of(jvm(), nativeImage())) {
      Dockerfile.Stage stage = dockerfile.finalStage();
      assertThat(stage.last("USER")).as("USER of the final stage").hasValue(chartUser);
      assertThat(Integer.parseInt(chartUser)).isPositive();
      assertThat(stage.arguments("EXPOSE")).containsExactly(String.valueOf(chartPort));
      assertThat(stage.last("ENTRYPOINT").orElseThrow())
          .as("exec form: signals reach the process")
          .startsWith("[");
      Map<String, String> env = stage.env();
      for (String variable : List.of("DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "HOME")) {
        assertThat(env.get(variable))
            .as("%s, which the chart sets too", variable)
            .isEqualTo(KubeObject.env(api.container("api"), variable).orElseThrow())
            .startsWith("/tmp");
      }
    }
  }

  @Test
  void webUiImageRunsAsTheChartsUserOnTheChartsPortWithItsProbePath() throws IOException {
    KubeObject webui =
        new RenderedRelease(new ChartRenderer().render(Scenario.DEFAULTS))
            .get("Deployment", "ner-suite-webui");
    JsonObject container = webui.container("webui");
    String chartUser =
        webui
            .podSpec()
            .orElseThrow()
            .getAsJsonObject("securityContext")
            .get("runAsUser")
            .getAsString();
    String chartPort =
        container
            .getAsJsonArray("ports")
            .get(0)
            .getAsJsonObject()
            .get("containerPort")
            .getAsString();
    String probePath =
        container
            .getAsJsonObject("readinessProbe")
            .getAsJsonObject("httpGet")
            .get("path")
            .getAsString();
    Dockerfile.Stage image =
        Dockerfile.read(RepositoryPaths.root().resolve("ner-webui/Dockerfile")).finalStage();
    String nginx = Files.readString(RepositoryPaths.root().resolve("ner-webui/nginx/webui.conf"));

    assertThat(image.last("USER")).hasValue(chartUser);
    assertThat(image.arguments("EXPOSE")).containsExactly(chartPort);
    assertThat(nginx).contains("listen " + chartPort + ";", "location = " + probePath + " ");
  }

  @Test
  void jvmImageRunsTheFastJarWithTheChartsJvmOptions() throws IOException {
    Dockerfile.Stage stage = jvm().finalStage();

    assertThat(stage.arguments("COPY"))
        .containsExactly(
            "--chown=185:0 ner-api/target/quarkus-app/lib/ /deployments/lib/",
            "--chown=185:0 ner-api/target/quarkus-app/*.jar /deployments/",
            "--chown=185:0 ner-api/target/quarkus-app/app/ /deployments/app/",
            "--chown=185:0 ner-api/target/quarkus-app/quarkus/ /deployments/quarkus/");
    assertThat(stage.last("ENTRYPOINT").orElseThrow())
        .contains("\"-jar\", \"/deployments/quarkus-run.jar\"");
    String jvmOptions = stage.env().get("JDK_JAVA_OPTIONS");
    assertThat(jvmOptions).contains("-XX:MaxRAMPercentage=", "-Djava.io.tmpdir=/tmp");
    // `docker run` and `helm install` start the JVM the same way.
    assertThat(KubeObject.env(chartApi().container("api"), "JDK_JAVA_OPTIONS"))
        .hasValue(jvmOptions);
  }

  @Test
  void buildContextKeepsWhatTheDockerfilesCopy() throws IOException {
    DockerIgnore ignore = DockerIgnore.read(RepositoryPaths.root().resolve(".dockerignore"));
    List<String> kept =
        new ArrayList<>(
            List.of(
                "ner-api/target/quarkus-app/quarkus-run.jar",
                "ner-api/target/quarkus-app/lib/main/ai.djl.huggingface.tokenizers-0.36.0.jar",
                "ner-api/target/quarkus-app/app/ner-api-0.1.0-SNAPSHOT.jar",
                "ner-api/target/quarkus-app/quarkus/quarkus-application.dat",
                "pom.xml",
                "mvnw",
                ".mvn/wrapper/maven-wrapper.properties",
                "ner-api/src/main/java/dev/nersuite/ner/config/NerConfig.java",
                "ner-api/src/main/resources/application.properties",
                "ner-webui/src/main/webapp/index.html"));
    for (String module : parentModules()) {
      kept.add(module + "/pom.xml");
    }
    List<String> dropped =
        List.of(
            ".git/HEAD",
            "ner-api/target/classes/application.properties",
            "helm/target/surefire-reports/x.txt",
            "ner-webui/node_modules/playwright-core/index.js",
            "ner-model-export/src/__pycache__/export.cpython-311.pyc",
            "k8s/api-deployment.yaml");

    assertThat(kept)
        .allSatisfy(path -> assertThat(ignore.excludes(path)).as("%s excluded", path).isFalse());
    assertThat(dropped)
        .allSatisfy(path -> assertThat(ignore.excludes(path)).as("%s excluded", path).isTrue());
  }

  @Test
  void copiesWhatTheNerApiBuildProduces() throws IOException {
    Path app = RepositoryPaths.quarkusApp();
    assertThat(app)
        .as(
            "ner-api's fast-jar; build ner-api first (the full `mvn verify` does: ner-api comes before helm)")
        .isDirectory();
    for (String part : List.of("lib", "app", "quarkus")) {
      assertThat(app.resolve(part)).isDirectory();
    }
    assertThat(app.resolve("quarkus-run.jar")).isRegularFile();
    try (var jars = Files.newDirectoryStream(app, "*.jar")) {
      assertThat(jars).extracting(p -> p.getFileName().toString()).contains("quarkus-run.jar");
    }
  }

  private static List<String> parentModules() throws IOException {
    String pom = Files.readString(RepositoryPaths.root().resolve("pom.xml"));
    List<String> modules = new ArrayList<>();
    Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    while (module.find()) {
      modules.add(module.group(1).strip());
    }
    assertThat(modules).contains("ner-api", "helm");
    return modules;
  }
}
