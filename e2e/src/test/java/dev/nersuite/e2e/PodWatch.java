package dev.nersuite.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Polls the API pods once a second in the background while a scenario runs: which address belongs
 * to which pod, and when each was Ready. Thread-safe.
 */
final class PodWatch implements AutoCloseable {
  /** One poll. */
  record Sample(long epochMillis, List<ApiPod> pods) {}

  private final ClusterContext cluster;
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  private PodWatch(ClusterContext cluster) {
    this.cluster = cluster;
    this.thread = new Thread(this::poll, "e2e-pod-watch");
    this.thread.setDaemon(true);
  }

  static PodWatch start(ClusterContext cluster) {
    PodWatch watch = new PodWatch(cluster);
    watch.samples.add(new Sample(System.currentTimeMillis(), cluster.apiPods()));
    watch.thread.start();
    return watch;
  }

  private void poll() {
    while (running) {
      try {
        samples.add(new Sample(System.currentTimeMillis(), cluster.apiPods()));
      } catch (RuntimeException e) {
        // a kubectl call that failed under load: the next poll fills the gap
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Pod name of each address seen ("ip" → "name"). */
  Map<String, String> namesByIp() {
    Map<String, String> names = new HashMap<>();
    for (Sample sample : samples) {
      for (ApiPod pod : sample.pods()) {
        if (!pod.ip().isEmpty()) {
          names.put(pod.ip(), pod.name());
        }
      }
    }
    return names;
  }

  /** Fewest Ready, not terminating, API pods in any poll. */
  long minReady() {
    return samples.stream()
        .mapToLong(s -> s.pods().stream().filter(p -> p.ready() && !p.terminating()).count())
        .min()
        .orElse(0);
  }

  /**
   * The polls in which the pod at {@code ip} was not Ready (or had no such pod), as [from, to)
   * windows of epoch millis: one poll's time to the next one's.
   */
  List<long[]> notReadyWindows(String ip) {
    List<long[]> windows = new ArrayList<>();
    List<Sample> all = samples();
    for (int i = 0; i + 1 < all.size(); i++) {
      boolean ready = all.get(i).pods().stream().anyMatch(p -> p.ip().equals(ip) && p.ready());
      boolean readyNext =
          all.get(i + 1).pods().stream().anyMatch(p -> p.ip().equals(ip) && p.ready());
      if (!ready && !readyNext) {
        windows.add(new long[] {all.get(i).epochMillis(), all.get(i + 1).epochMillis()});
      }
    }
    return windows;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(15).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
