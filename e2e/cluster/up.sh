#!/usr/bin/env bash
# Brings up the cluster: network namespaces, etcd, the control plane, $E2E_NODES nodes (containerd,
# kubelet, kube-proxy), the images, then CoreDNS, metrics-server and Traefik. Prints the admin
# kubeconfig's path when every node is Ready and every add-on is available. Stop it with down.sh
# (also on failure: run.sh traps it).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/pki.sh"
source "$(dirname "$0")/node.sh"

PAUSE_IMAGE=localhost/ner-e2e/pause:$K8S_VERSION
NODES=()
for n in $(seq 1 "$E2E_NODES"); do NODES+=("$(node_name "$n")"); done
KUBECTL=("$BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN")

[ "$(id -u)" = 0 ] || { echo "up.sh needs root (network namespaces, containerd)" >&2; exit 1; }
[ ! -e "$E2E_STATE/pids" ] || { echo "a cluster is up ($E2E_STATE): run down.sh first" >&2; exit 1; }
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  [ -x "$BIN/$b" ] || { echo "$BIN/$b missing: run build.sh" >&2; exit 1; }
done
T0=$(date +%s.%N)
elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $T0" | bc)"; }

wait_for() { # what seconds command...
  local what=$1 budget=$2; shift 2
  local deadline=$(( $(date +%s) + budget ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "timed out after ${budget}s waiting for $what"
      local f
      for f in "$E2E_STATE"/pids/*.pid; do
        kill -0 "$(cat "$f")" 2>/dev/null && continue
        log "$(basename "$f" .pid) is not running; the end of its log:"
        tail -5 "$E2E_STATE/logs/$(basename "$f" .pid).log" >&2
      done
      return 1
    fi
    sleep 1
  done
}

mkdir -p "$E2E_STATE"
log "network: bridge $HOST_BRIDGE $HOST_IP, nodes ${NODES[*]}"
make_network
make_pki "${NODES[@]}"

log "etcd $ETCD_VERSION"
start_daemon etcd 1 "$BIN/etcd" --name default --data-dir "$E2E_STATE/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster default=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
  --quota-backend-bytes 1073741824

log "kube-apiserver $K8S_VERSION"
start_daemon kube-apiserver 1 "$BIN/kube-apiserver" \
  --etcd-servers=http://127.0.0.1:2379 --bind-address=0.0.0.0 --secure-port=6443 \
  --advertise-address="$NODE_IP" --service-cluster-ip-range="$SERVICE_CIDR" \
  --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --enable-aggregator-routing=true --profiling=false --event-ttl=2h

wait_for "the API server" 120 "${KUBECTL[@]}" get --raw /readyz
log "API server ready after $(elapsed) s"

start_daemon kube-controller-manager 1 "$BIN/kube-controller-manager" \
  --kubeconfig="$PKI/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$PKI/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$PKI/controller-manager.kubeconfig" \
  --bind-address=127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" --cluster-cidr="$CLUSTER_CIDR" --allocate-node-cidrs=false \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --horizontal-pod-autoscaler-sync-period=15s
start_daemon kube-scheduler 1 "$BIN/kube-scheduler" \
  --kubeconfig="$PKI/scheduler.kubeconfig" --authentication-kubeconfig="$PKI/scheduler.kubeconfig" \
  --authorization-kubeconfig="$PKI/scheduler.kubeconfig" --bind-address=127.0.0.1 --leader-elect=false

for n in $(seq 1 "$E2E_NODES"); do
  log "node $(node_name "$n"): containerd, kubelet, kube-proxy"
  start_node "$n"
done

# Images: imported into each node's containerd (its store is a cache; an unchanged image is skipped).
import_images() {
  local n=$1 sock=$E2E_STATE/nodes/$(node_name "$1")/containerd.sock f
  wait_for "containerd on node $n" 60 ctr -a "$sock" version
  # The application images of earlier commits: the store is a cache, not an archive.
  local old
  for old in $(ctr -a "$sock" -n k8s.io images ls -q | grep '^localhost/ner-suite/' | grep -v ":${E2E_IMAGE_TAG:-e2e}\$" || true); do
    ctr -a "$sock" -n k8s.io images rm "$old" >/dev/null
  done
  for f in "$E2E_CACHE"/images/*.tar; do
    nice -n 19 ctr -a "$sock" -n k8s.io images import "$f" >/dev/null
  done
}
imports=()
for n in $(seq 1 "$E2E_NODES"); do import_images "$n" & imports+=($!); done
for pid in "${imports[@]}"; do wait "$pid"; done   # not a bare `wait`: the daemons are children too
log "images imported after $(elapsed) s"

for node in "${NODES[@]}"; do
  wait_for "node $node to register" 120 "${KUBECTL[@]}" get node "$node"
done
"${KUBECTL[@]}" wait --for=condition=Ready node --all --timeout=180s >/dev/null
log "nodes Ready after $(elapsed) s"

log "add-ons: CoreDNS, metrics-server, Traefik"
ADDONS=$E2E_ROOT/cluster/addons
# Traefik's CRDs come from its module in the Go cache (third-party text, never copied into the repository).
"${KUBECTL[@]}" apply --server-side -f \
  "$GOMODCACHE/github.com/traefik/traefik/v3@v$TRAEFIK_VERSION/docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml" >/dev/null
for f in "$ADDONS"/*.yaml; do
  sed -e "s|@DNS_SERVICE_IP@|$DNS_SERVICE_IP|g" -e "s|@COREDNS_VERSION@|$COREDNS_VERSION|g" \
      -e "s|@METRICS_SERVER_VERSION@|$METRICS_SERVER_VERSION|g" -e "s|@TRAEFIK_VERSION@|$TRAEFIK_VERSION|g" \
      -e "s|@NODE1@|$(node_name 1)|g" -e "s|@INGRESS_HTTP_PORT@|$INGRESS_HTTP_PORT|g" "$f"
  echo "---"
done | "${KUBECTL[@]}" apply -f - >/dev/null
"${KUBECTL[@]}" -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null
"${KUBECTL[@]}" -n kube-system rollout status deployment/metrics-server --timeout=180s >/dev/null
"${KUBECTL[@]}" -n ingress-traefik rollout status deployment/traefik --timeout=180s >/dev/null
wait_for "the metrics API" 180 "${KUBECTL[@]}" top node
log "cluster up after $(elapsed) s: KUBECONFIG=$KUBECONFIG_ADMIN, Ingress http://$NODE_IP:$INGRESS_HTTP_PORT/"
echo "$(elapsed)" > "$E2E_STATE/up-seconds"
echo "$KUBECONFIG_ADMIN"
