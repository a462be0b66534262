package dev.nersuite.ha;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills every process the harness started, and their children, if the test JVM ends before the
 * tests stopped them (a failed assertion is handled by try/finally; this covers Ctrl-C and the fork
 * timeout). Thread-safe.
 */
final class ProcessReaper {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Process process : LIVE) {
                    // Children first: nginx workers outlive a SIGKILLed master.
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                  }
                },
                "ha-process-reaper"));
  }

  private ProcessReaper() {}

  /** Watches a started process until it exits. */
  static Process register(Process process) {
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
    return process;
  }
}
