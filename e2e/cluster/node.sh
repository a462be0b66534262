# One node: its network namespace, containerd, kubelet and kube-proxy (sourced by up.sh).
# shellcheck shell=bash

start_daemon() { # name node-number command...: runs in the node's namespace, niced, in its own session
  local name=$1 n=$2; shift 2
  mkdir -p "$E2E_STATE/logs" "$E2E_STATE/pids"
  setsid nsenter --net="/run/netns/$(node_netns "$n")" nice -n 19 "$@" >"$E2E_STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$E2E_STATE/pids/$name.pid"
}

make_network() { # the host bridge, then each node's namespace with a veth on it and routes to the others' pods
  ip link add "$HOST_BRIDGE" type bridge
  ip addr add "$HOST_IP/24" dev "$HOST_BRIDGE"
  ip link set "$HOST_BRIDGE" up
  local n m ns
  for n in $(seq 1 "$E2E_NODES"); do
    ns=$(node_netns "$n")
    ip netns add "$ns"
    ip link add "ner-e2e-v$n" type veth peer name eth0 netns "$ns"
    ip link set "ner-e2e-v$n" master "$HOST_BRIDGE" up
    in_node "$n" ip addr add "$(node_ip "$n")/24" dev eth0
    in_node "$n" ip link set lo up
    in_node "$n" ip link set eth0 up
    # A default route only so that components find "the node's address"; the host does not forward.
    in_node "$n" ip route add default via "$HOST_IP"
    for m in $(seq 1 "$E2E_NODES"); do
      [ "$m" = "$n" ] || in_node "$n" ip route add "$(node_pod_cidr "$m")" via "$(node_ip "$m")"
    done
    in_node "$n" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
      net.bridge.bridge-nf-call-ip6tables=1 net.ipv4.conf.all.route_localnet=1
    # The host reaches pod addresses (the tests ask one pod directly for reference results, as
    # ha/ asks one replica); it forwards nothing itself (its ip_forward stays as it is).
    ip route add "$(node_pod_cidr "$n")" via "$(node_ip "$n")"
  done
}

start_node() { # n: containerd, CNI config, kubelet, kube-proxy of node n
  local n=$1 name ip dir
  name=$(node_name "$n"); ip=$(node_ip "$n"); dir=$E2E_STATE/nodes/$name
  mkdir -p "$dir/cni" "$dir/kubelet" "$E2E_CACHE/containerd/$name"
  # containerd: its image store is a cache (images are imported once per build, not per run).
  cat > "$dir/containerd.toml" <<TOML
version = 2
root = "$E2E_CACHE/containerd/$name"
state = "$dir/containerd-state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni"
TOML
  cat > "$dir/cni/10-bridge.conflist" <<JSON
{"cniVersion": "1.0.0", "name": "ner-e2e", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$(node_pod_cidr "$n")"}]],
            "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$dir/cni-ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}},
  {"type": "loopback"}]}
JSON
  start_daemon "containerd-$name" "$n" containerd --config "$dir/containerd.toml"
  # The kubelet exits at once when its runtime does not answer yet (seen once here under load).
  wait_for "containerd on $name" 60 ctr -a "$dir/containerd.sock" version
  # Pods get this resolv.conf for dnsPolicy Default; cluster DNS is CoreDNS.
  echo "nameserver $DNS_SERVICE_IP" > "$dir/resolv.conf"
  # Each kubelet owns its own cgroup subtree, so two kubelets on one host never touch each other's.
  local c
  for c in cpu cpuacct cpuset memory pids blkio devices freezer systemd; do
    [ -d "/sys/fs/cgroup/$c" ] && mkdir -p "/sys/fs/cgroup/$c/ner-e2e/$name"
  done
  cat > "$dir/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $ip
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet-serving-$name.crt
tlsPrivateKeyFile: $PKI/kubelet-serving-$name.key
clusterDomain: cluster.local
clusterDNS: [$DNS_SERVICE_IP]
resolvConf: $dir/resolv.conf
containerRuntimeEndpoint: unix://$dir/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /ner-e2e/$name
# Not the shared /var/log/pods: each kubelet removes the log folders of pods it does not know, so
# with two kubelets on one host the other node's pods lost their logs (Traefik's access log among
# them: a third of its lines were missing).
podLogsDir: $dir/pod-logs
failSwapOn: false
failCgroupV1: false
podCIDR: $(node_pod_cidr "$n")
maxPods: 60
serializeImagePulls: false
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: "500Mi", nodefs.available: "2%", imagefs.available: "2%"}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
shutdownGracePeriod: 0s
YAML
  start_daemon "kubelet-$name" "$n" "$BIN/kubelet" --config="$dir/kubelet.yaml" \
    --kubeconfig="$PKI/kubelet-$name.kubeconfig" --root-dir="$dir/kubelet" \
    --hostname-override="$name" --node-ip="$ip" --v=1
  cat > "$dir/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $PKI/kube-proxy.kubeconfig}
hostnameOverride: $name
bindAddress: $ip
clusterCIDR: $CLUSTER_CIDR
mode: iptables
# A network namespace may not change the host's conntrack table size: leave it alone.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
YAML
  start_daemon "kube-proxy-$name" "$n" "$BIN/kube-proxy" --config="$dir/kube-proxy.yaml" --v=1
}
