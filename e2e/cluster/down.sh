#!/usr/bin/env bash
# Stops everything up.sh started, by the process ids it recorded, and removes what it made: the
# containers (through each node's containerd), the mounts under $E2E_STATE, the cgroups of the
# nodes, the network namespaces and the host bridge. Safe to run twice, and after a failed up.sh.
# Caches ($E2E_CACHE: Go builds, images, containerd's image store) stay.
source "$(dirname "$0")/lib.sh"

stop_pid() { # name: SIGTERM its process group, SIGKILL after 10 s
  local f=$E2E_STATE/pids/$1.pid pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Kubelets first, so nothing restarts the containers we stop next.
for f in "$E2E_STATE"/pids/kubelet-*.pid; do [ -e "$f" ] && stop_pid "$(basename "$f" .pid)"; done
for f in "$E2E_STATE"/pids/kube-proxy-*.pid; do [ -e "$f" ] && stop_pid "$(basename "$f" .pid)"; done

# Every container of each node, through its own containerd (its shims then exit). The pods'
# network namespaces (/run/netns/cni-*, made by the CNI plugins for these pods) are noted first:
# killed this way, the kubelet never tears them down.
pod_netns=()
for dir in "$E2E_STATE"/nodes/*/; do
  sock=${dir}containerd.sock
  [ -S "$sock" ] || continue
  for id in $(ctr -a "$sock" -n k8s.io containers ls -q 2>/dev/null); do
    pod_netns+=($(ctr -a "$sock" -n k8s.io containers info "$id" 2>/dev/null |
      grep -o '/var/run/netns/cni-[0-9a-f-]*' | sort -u || true))
  done
  for id in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
    ctr -a "$sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  sleep 1
  for id in $(ctr -a "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
    ctr -a "$sock" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
  done
  for id in $(ctr -a "$sock" -n k8s.io containers ls -q 2>/dev/null); do
    ctr -a "$sock" -n k8s.io containers delete "$id" >/dev/null 2>&1 || true
  done
done
for f in "$E2E_STATE"/pids/containerd-*.pid; do [ -e "$f" ] && stop_pid "$(basename "$f" .pid)"; done
for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_pid "$name"; done

# Mounts left under the state folder (pod volumes, sandboxes' netns files, rootfs) and the
# node caches' snapshot mounts, deepest first.
for root in "$E2E_STATE" "$E2E_CACHE/containerd"; do
  awk -v r="$root/" 'index($2, r) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
done

# The kubelets' links in /var/log/containers to their pods' logs (now dangling).
find /var/log/containers -maxdepth 1 -type l -lname "$E2E_STATE/*" -delete 2>/dev/null || true

# The nodes' cgroups (kubelet's pods live under /ner-e2e/<node>), deepest first.
for c in /sys/fs/cgroup/*/ner-e2e; do
  [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done

for ns in $(printf '%s\n' "${pod_netns[@]}" | sort -u); do ip netns del "$(basename "$ns")" 2>/dev/null || true; done
for n in $(seq 1 9); do ip netns del "$(node_netns "$n")" 2>/dev/null || true; done
ip link del "$HOST_BRIDGE" 2>/dev/null || true
# The logs of the run stay (replaced by the next one's) for post-mortems.
if [ -d "$E2E_STATE/logs" ]; then rm -rf "$E2E_STATE.last-logs"; cp -r "$E2E_STATE/logs" "$E2E_STATE.last-logs"; fi
rm -rf "$E2E_STATE"
log "cluster down (logs in $E2E_STATE.last-logs)"
