package dev.nersuite.helm;

import java.util.List;

/**
 * The objects of one render, with look-ups by kind and name. Immutable list; the objects' JSON is
 * not: confine to one thread.
 */
record RenderedRelease(List<KubeObject> objects) {

  RenderedRelease {
    objects = List.copyOf(objects);
  }

  List<KubeObject> ofKind(String kind) {
    return objects.stream().filter(o -> o.kind().equals(kind)).toList();
  }

  /** The object of that kind and name; fails the test when it was not rendered. */
  KubeObject get(String kind, String name) {
    return objects.stream()
        .filter(o -> o.kind().equals(kind) && o.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + "/" + name + " not rendered; got " + ids()));
  }

  List<String> ids() {
    return objects.stream().map(KubeObject::id).toList();
  }
}
