#!/usr/bin/env bash
# Builds the cluster's programs from the Go module proxy into $E2E_CACHE/bin, each in a wrapper module
# of its own under $E2E_CACHE/src (none of their code enters the repository). A program whose
# version stamp matches is not rebuilt; the Go build cache ($E2E_CACHE/go) makes a rebuild cheap.
# Runs niced, one build at a time (-p 2: the background jobs of the machine keep priority).
source "$(dirname "$0")/lib.sh"
SRC=$E2E_CACHE/src
mkdir -p "$BIN" "$SRC"
GO_BUILD=(nice -n 19 env CGO_ENABLED=0 go build -p "${E2E_GO_PROCS:-2}" -trimpath)

fresh() { [ "$(cat "$BIN/.$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$BIN/.$1.version"; }
timed() { local t0=$SECONDS; "$@"; log "  took $((SECONDS - t0)) s"; }

wrapper() { # dir: a fresh module local/<dir>
  rm -rf "${SRC:?}/$1"; mkdir -p "$SRC/$1"; cd "$SRC/$1"; go mod init "local/$1" 2>/dev/null
}

kubernetes() {
  # `go install k8s.io/kubernetes/cmd/...` is refused (its go.mod replaces the k8s.io/* staging
  # modules with ./staging paths): a wrapper module requires it and replaces each staging module
  # with its published version instead (golang/go#32776).
  local k=$K8S_VERSION s=0.${K8S_VERSION#1.} c cmds="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"
  fresh kubernetes "$k" && return
  log "Kubernetes $k ($cmds)"
  wrapper k8s
  local mod
  mod=$(go mod download -json "k8s.io/kubernetes@v$k" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
  for m in $(awk '$2=="v0.0.0"{print $1}' "$mod"); do go mod edit -replace="$m=$m@v$s"; done
  go mod edit -go=1.25.0 -godebug=default=go1.25    # as k8s.io/kubernetes' own go.mod
  nice -n 19 go get $(for c in $cmds; do echo "k8s.io/kubernetes/cmd/$c@v$k"; done) 2>/dev/null
  # Without the version stamped in, /version says v0.0.0 and Helm's kubeVersion checks fail.
  local v="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    v="$v -X $p.gitVersion=v$k -X $p.gitMajor=${k%%.*} -X $p.gitMinor=$(echo "$k" | cut -d. -f2)"
    v="$v -X $p.gitTreeState=clean -X $p.gitCommit=v$k-goproxy"
  done
  timed "${GO_BUILD[@]}" -ldflags "$v" -o "$BIN/" $(for c in $cmds; do echo "k8s.io/kubernetes/cmd/$c"; done)
  stamp kubernetes "$k"
}

etcd() {
  fresh etcd "$ETCD_VERSION" && return
  log "etcd $ETCD_VERSION"
  wrapper etcd
  # etcd's own main is a one-liner around etcdmain.Main; its root module replaces its siblings with
  # ../ paths, so the server module is required directly.
  cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  nice -n 19 go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" 2>/dev/null
  nice -n 19 go mod tidy 2>/dev/null
  timed "${GO_BUILD[@]}" -ldflags "-s -w" -o "$BIN/etcd" .
  stamp etcd "$ETCD_VERSION"
}

tool() { # name module-path@version package [go.mod edits...]
  local name=$1 at=$2 pkg=$3; shift 3
  fresh "$name" "$at" && return
  log "$name ($at)"
  wrapper "$name"
  local edit
  for edit in "$@"; do go mod edit "$edit"; done
  nice -n 19 go get -tool "${at%@*}${pkg:+/$pkg}@${at#*@}" 2>/dev/null
  timed "${GO_BUILD[@]}" -ldflags "-s -w" -o "$BIN/$name" "${at%@*}${pkg:+/$pkg}"
  stamp "$name" "$at"
}

module_edits() { # module@version: its go.mod's replaces by other modules and its excludes, as go mod edit flags
  local mod
  mod=$(go mod download -json "$1" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
  awk '/^replace \(/{r=1; next} r && /^\)/{r=0} /^exclude \(/{e=1; next} e && /^\)/{e=0}
       r && $2=="=>" && $3 !~ /^\./ {printf "-replace=%s=%s@%s\n", $1, $3, $4}
       /^replace / && $3=="=>" && $4 !~ /^\./ {printf "-replace=%s=%s@%s\n", $2, $4, $5}
       e && NF==2 {printf "-exclude=%s@%s\n", $1, $2}
       /^exclude [^(]/ {printf "-exclude=%s@%s\n", $2, $3}' "$mod"
}

kubernetes
etcd
tool coredns "github.com/coredns/coredns@v$COREDNS_VERSION" ""
tool metrics-server "sigs.k8s.io/metrics-server@v$METRICS_SERVER_VERSION" cmd/metrics-server
# Traefik's go.mod replaces some modules with its own forks and excludes a version: the wrapper copies
# those lines from the go.mod of the version it builds.
tool traefik "github.com/traefik/traefik/v3@v$TRAEFIK_VERSION" cmd/traefik \
  $(module_edits "github.com/traefik/traefik/v3@v$TRAEFIK_VERSION")
log "binaries in $BIN: $(cd "$BIN" && ls | tr '\n' ' ')"
