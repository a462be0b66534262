package dev.nersuite.helm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the keys of a values.yaml that lack a helm-docs {@code # --} comment. A key is documented
 * by a {@code # --} comment in the comment block right above it, or by a documented ancestor whose
 * children carry no {@code # --} of their own (a map documented as one value, such as a security
 * context). Items of lists are values, not keys. Stateless and thread-safe.
 */
final class ValuesDocumentation {

  private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_./-]+):(?: |$)");
  private static final Pattern LIST_ITEM = Pattern.compile("^( *)- ");

  private ValuesDocumentation() {}

  /** Dotted paths of the undocumented keys, in file order. */
  static List<String> undocumentedKeys(List<String> lines) {
    Map<String, Boolean> documented = new LinkedHashMap<>();
    List<int[]> stackIndent = new ArrayList<>();
    List<String> stackKey = new ArrayList<>();
    int listIndent = -1;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher item = LIST_ITEM.matcher(line);
      if (item.find()) {
        listIndent =
            listIndent < 0 ? item.group(1).length() : Math.min(listIndent, item.group(1).length());
        continue;
      }
      Matcher key = KEY.matcher(line);
      if (!key.find()) {
        continue;
      }
      int indent = key.group(1).length();
      if (listIndent >= 0 && indent > listIndent) {
        continue; // a key inside a list item: part of a value
      }
      listIndent = -1;
      while (!stackIndent.isEmpty() && stackIndent.get(stackIndent.size() - 1)[0] >= indent) {
        stackIndent.remove(stackIndent.size() - 1);
        stackKey.remove(stackKey.size() - 1);
      }
      stackIndent.add(new int[] {indent});
      stackKey.add(key.group(2));
      documented.put(String.join(".", stackKey), hasDocComment(lines, i, indent));
    }
    List<String> undocumented = new ArrayList<>();
    for (Map.Entry<String, Boolean> entry : documented.entrySet()) {
      if (!entry.getValue() && !coveredByWholeValueAncestor(entry.getKey(), documented)) {
        undocumented.add(entry.getKey());
      }
    }
    return undocumented;
  }

  /** The contiguous comment block above line {@code index}, at the key's indent, has a "# --". */
  private static boolean hasDocComment(List<String> lines, int index, int indent) {
    for (int j = index - 1; j >= 0; j--) {
      String line = lines.get(j);
      String stripped = line.strip();
      if (!stripped.startsWith("#") || line.indexOf('#') != indent) {
        return false;
      }
      if (stripped.matches("# -- \\S.*")) {
        return true;
      }
    }
    return false;
  }

  private static boolean coveredByWholeValueAncestor(String path, Map<String, Boolean> documented) {
    String ancestor = path;
    while (ancestor.contains(".")) {
      ancestor = ancestor.substring(0, ancestor.lastIndexOf('.'));
      if (Boolean.TRUE.equals(documented.get(ancestor))) {
        String prefix = ancestor + ".";
        boolean childDocumented =
            documented.entrySet().stream()
                .anyMatch(
                    e ->
                        e.getKey().startsWith(prefix)
                            && !e.getKey().substring(prefix.length()).contains(".")
                            && e.getValue());
        return !childDocumented;
      }
    }
    return false;
  }
}
