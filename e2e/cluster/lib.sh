# Shared settings of the e2e tier's scripts (sourced, not run). Everything the tier builds or keeps
# between runs lives under $E2E_CACHE, outside the repository; everything a running cluster writes
# lives under $E2E_STATE and in the network namespace $E2E_NETNS, both removed by down.sh.
set -euo pipefail

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$E2E_ROOT/.." && pwd)
E2E_CACHE=$(realpath -m "${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ner-e2e}")  # podman stores the real path
E2E_STATE=${E2E_STATE:-/var/lib/ner-e2e}
# Nodes: 1 = control plane + worker, 2 = a second worker (a real drain needs somewhere to go).
E2E_NODES=${E2E_NODES:-2}

# Versions that were built and run here (see e2e/README.md).
K8S_VERSION=1.35.4          # k8s.io/kubernetes; its staging modules are k8s.io/*@v0.35.4
ETCD_VERSION=3.6.16         # go.etcd.io/etcd/server/v3
COREDNS_VERSION=1.14.7      # github.com/coredns/coredns
METRICS_SERVER_VERSION=0.8.0  # sigs.k8s.io/metrics-server
TRAEFIK_VERSION=3.6.12      # github.com/traefik/traefik/v3
DEBIAN_SUITE=bookworm       # base images of ner-api, the WebUI and the helm test pod

BIN=$E2E_CACHE/bin
export GOMODCACHE=$E2E_CACHE/go/mod GOCACHE=$E2E_CACHE/go/build GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
# buildah/podman keep their images here, not in /var/lib/containers.
STORAGE_OPTS=(--root "$E2E_CACHE/containers/storage" --runroot "$E2E_STATE/containers-run" --storage-driver overlay)

# The network: each node is a network namespace with a veth to a bridge on the host (10.231.0.1/24);
# the control plane runs in node 1's. Pods get 10.244.N.0/24 on node N; nothing is routed off it.
HOST_BRIDGE=ner-e2e0
HOST_IP=10.231.0.1
NODE_IP=10.231.0.11          # node 1: the API server and the Ingress controller's entry point
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
INGRESS_HTTP_PORT=80         # Traefik's hostPort on node 1 (cluster/addons/traefik.yaml)

node_name() { echo "e2e-node-$1"; }
node_netns() { echo "ner-e2e-$1"; }
node_ip() { echo "10.231.0.$((10 + ${1#e2e-node-}))"; }
node_pod_cidr() { echo "10.244.$1.0/24"; }
# nsenter, not `ip netns exec`: the latter also remounts /sys, which hides the cgroup mounts the
# kubelet needs.
in_node() { local n=$1; shift; nsenter --net="/run/netns/$(node_netns "$n")" "$@"; }
log() { printf '%s e2e: %s\n' "$(date +%T)" "$*" >&2; }
PKI=$E2E_STATE/pki
KUBECONFIG_ADMIN=$PKI/admin.kubeconfig
