#!/usr/bin/env bash
# The e2e tier in one command (as root, from anywhere):
#   e2e/run.sh            build what is missing, bring the cluster up, run every scenario, write
#                         e2e/REPORT.md, bring the cluster down (also on failure or Ctrl-C)
# Steps on their own: e2e/cluster/build.sh, e2e/cluster/images.sh, e2e/cluster/up.sh,
# e2e/cluster/down.sh. Options (environment): E2E_CACHE (default ~/.cache/ner-e2e), E2E_NODES (2),
# E2E_KEEP=1 (leave the cluster up afterwards), E2E_MVN_ARGS (extra Maven arguments, e.g.
# -Dit.test='ClusterSuiteIT#install*' or -De2e.rate=5).
source "$(dirname "$0")/cluster/lib.sh"
cd "$REPO_ROOT"
timings=$E2E_STATE.timings
: > "$timings"
step() { # name command...: runs it, notes its seconds, returns its status
  local name=$1 t0=$SECONDS status=0; shift
  "$@" || status=$?
  echo "$name $((SECONDS - t0))" >> "$timings"
  return $status
}

[ "$(id -u)" = 0 ] || { echo "run.sh needs root" >&2; exit 1; }
if [ -e "$E2E_STATE/pids" ]; then "$E2E_ROOT/cluster/down.sh"; fi

# ner-api's runner (Dockerfile.jvm copies it) and ha's shared harness (the scenarios use it).
step package nice -n 19 ./mvnw -B -q -pl ner-api,ha -am install -DskipTests -Dspotless.skip=true
step binaries "$E2E_ROOT/cluster/build.sh"
export E2E_IMAGE_TAG=${E2E_IMAGE_TAG:-e2e-$(git rev-parse --short HEAD)}
step images "$E2E_ROOT/cluster/images.sh"

if [ -z "${E2E_KEEP:-}" ]; then trap '"$E2E_ROOT/cluster/down.sh"' EXIT; fi
step cluster "$E2E_ROOT/cluster/up.sh" >/dev/null
nodes=$(for n in $(seq 1 "$E2E_NODES"); do node_name "$n"; done | paste -sd,)
components="Kubernetes $K8S_VERSION, etcd $ETCD_VERSION, containerd $(containerd --version | awk '{print $3}'),"
components+=" runc $(runc --version | awk 'NR==1{print $3}'), Traefik $TRAEFIK_VERSION, CoreDNS $COREDNS_VERSION,"
components+=" metrics-server $METRICS_SERVER_VERSION, $E2E_NODES nodes"
touch "$E2E_STATE.scenarios-started"   # report.sh refuses a figures table older than this
set +e
step scenarios nice -n 19 ./mvnw -B -pl e2e verify -Pe2e -Dspotless.skip=true \
  -De2e.kubeconfig="$KUBECONFIG_ADMIN" -De2e.kubectl="$BIN/kubectl" \
  -De2e.ingress="http://$NODE_IP:$INGRESS_HTTP_PORT/" -De2e.stateDir="$E2E_STATE" \
  -De2e.imageTag="$E2E_IMAGE_TAG" -De2e.nodes="$nodes" -De2e.components="$components" ${E2E_MVN_ARGS:-}
rc=$?
set -e
"$E2E_ROOT/report.sh" "$timings" || true
exit $rc
