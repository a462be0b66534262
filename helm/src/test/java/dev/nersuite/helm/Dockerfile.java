package dev.nersuite.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read into instructions, enough to check it without a Docker engine: line
 * continuations joined, comments dropped, instructions grouped into build stages. Immutable and
 * thread-safe.
 *
 * @param globalArgs the {@code ARG}s before the first {@code FROM}, name -> default ("" if none)
 * @param stages the build stages in order
 */
record Dockerfile(Map<String, String> globalArgs, List<Stage> stages) {

  /** One instruction: upper-case keyword and its raw arguments. */
  record Instruction(String keyword, String arguments) {}

  /**
   * One build stage.
   *
   * @param from the image reference after FROM
   * @param name the {@code AS} name, or ""
   * @param instructions the stage's instructions after FROM
   */
  record Stage(String from, String name, List<Instruction> instructions) {

    List<String> arguments(String keyword) {
      return instructions.stream()
          .filter(i -> i.keyword().equals(keyword))
          .map(Instruction::arguments)
          .toList();
    }

    Optional<String> last(String keyword) {
      List<String> all = arguments(keyword);
      return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** ENV values of the stage, from both {@code ENV a=b c="d e"} and {@code ENV a b} forms. */
    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      for (String arguments : arguments("ENV")) {
        Matcher pair = ENV_PAIR.matcher(arguments);
        boolean found = false;
        while (pair.find()) {
          found = true;
          String value = pair.group(2);
          if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
            value = value.substring(1, value.length() - 1);
          }
          env.put(pair.group(1), value);
        }
        if (!found) {
          String[] legacy = arguments.split("\\s+", 2);
          env.put(legacy[0], legacy.length > 1 ? legacy[1] : "");
        }
      }
      return env;
    }
  }

  private static final Pattern ENV_PAIR =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\\S*)");
  private static final Pattern FROM =
      Pattern.compile("^(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+[Aa][Ss]\\s+(\\S+))?$");

  static Dockerfile read(Path path) throws IOException {
    return parse(Files.readString(path));
  }

  static Dockerfile parse(String text) {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String line : text.split("\n")) {
      String stripped = line.strip();
      if (stripped.startsWith("#") || (stripped.isEmpty() && pending.isEmpty())) {
        continue; // comments, parser directives and blank lines (also inside continuations)
      }
      if (stripped.endsWith("\\")) {
        pending.append(stripped.substring(0, stripped.length() - 1).strip()).append(' ');
        continue;
      }
      pending.append(stripped);
      String[] parts = pending.toString().strip().split("\\s+", 2);
      instructions.add(
          new Instruction(
              parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1].strip() : ""));
      pending.setLength(0);
    }
    Map<String, String> globalArgs = new LinkedHashMap<>();
    List<Stage> stages = new ArrayList<>();
    List<Instruction> current = null;
    for (Instruction instruction : instructions) {
      if (instruction.keyword().equals("FROM")) {
        Matcher from = FROM.matcher(instruction.arguments());
        if (!from.matches()) {
          throw new IllegalArgumentException("Unreadable FROM " + instruction.arguments());
        }
        current = new ArrayList<>();
        stages.add(new Stage(from.group(1), from.group(2) == null ? "" : from.group(2), current));
      } else if (current == null) {
        if (!instruction.keyword().equals("ARG")) {
          throw new IllegalArgumentException(instruction.keyword() + " before the first FROM");
        }
        String[] arg = instruction.arguments().split("=", 2);
        globalArgs.put(arg[0], arg.length > 1 ? arg[1] : "");
      } else {
        current.add(instruction);
      }
    }
    return new Dockerfile(Map.copyOf(globalArgs), List.copyOf(stages));
  }

  Stage finalStage() {
    return stages.get(stages.size() - 1);
  }
}
