#!/usr/bin/env bash
# Builds every image the cluster runs, without Docker and without a registry, into $E2E_CACHE/images:
# - base images made from Debian packages (a debootstrap rootfs): a JRE for Dockerfile.jvm, an nginx
#   set up like nginx-unprivileged for ner-webui/Dockerfile, curl for the chart's `helm test` pod;
# - ner-api from Dockerfile.jvm and the WebUI from ner-webui/Dockerfile, with buildah, exactly as
#   users build them (only the base image is a build argument);
# - the cluster's own pieces (pause, CoreDNS, Traefik, metrics-server) from their static binaries.
# A base is rebuilt only when missing; the application images on every run (buildah's layer cache
# makes an unchanged one cheap). Needs: debootstrap buildah podman (Debian), ner-api packaged.
source "$(dirname "$0")/lib.sh"

ROOTFS=$E2E_CACHE/rootfs
OUT=$E2E_CACHE/images
mkdir -p "$ROOTFS" "$OUT" "$E2E_CACHE/debs" "$E2E_STATE"
bah() { nice -n 19 buildah "${STORAGE_OPTS[@]}" "$@"; }

minbase() { # a minimal Debian rootfs, once
  [ -d "$ROOTFS/minbase" ] && return
  log "debootstrap $DEBIAN_SUITE (minbase)"
  rm -rf "$ROOTFS/minbase.tmp"
  nice -n 19 debootstrap --variant=minbase --cache-dir="$E2E_CACHE/debs" "$DEBIAN_SUITE" \
    "$ROOTFS/minbase.tmp" http://deb.debian.org/debian >"$ROOTFS/debootstrap.log"
  mv "$ROOTFS/minbase.tmp" "$ROOTFS/minbase"
}

base_image() { # name packages setup-function [cmd-json]: minbase + Debian packages, as localhost/ner-e2e/NAME:SUITE
  local name=$1 packages=$2 setup=$3 cmd=${4:-'["/bin/sh"]'} image=localhost/ner-e2e/$1:$DEBIAN_SUITE dir=$ROOTFS/$1
  if bah inspect --type image "$image" >/dev/null 2>&1; then return; fi
  log "base image $image ($packages)"
  rm -rf "$dir"; cp -a "$ROOTFS/minbase" "$dir"
  mount -t proc proc "$dir/proc"
  trap 'umount "$dir/proc" 2>/dev/null || true' RETURN
  chroot "$dir" apt-get -qq update
  DEBIAN_FRONTEND=noninteractive nice -n 19 chroot "$dir" apt-get -qq install -y --no-install-recommends $packages >/dev/null
  "$setup" "$dir"
  chroot "$dir" apt-get clean
  umount "$dir/proc"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/tmp/* "$dir"/usr/share/doc "$dir"/usr/share/man
  tar -C "$dir" -c . | nice -n 19 podman "${STORAGE_OPTS[@]}" import --change "CMD $cmd" - "$image" >/dev/null
  rm -rf "$dir"
}

setup_jre() { :; }

setup_curl() { :; }

setup_nginx() { # what nginxinc/nginx-unprivileged provides: uid 101, conf.d in http{}, pid and temp files in /tmp
  local dir=$1
  chroot "$dir" sh -c 'getent group 101 >/dev/null || groupadd -g 101 nginx; getent passwd 101 >/dev/null || useradd -u 101 -g 101 -d /nonexistent -s /usr/sbin/nologin -M nginx'
  rm -rf "$dir/etc/nginx/sites-enabled" "$dir/etc/nginx/sites-available" "$dir/etc/nginx/conf.d"/*
  mkdir -p "$dir/var/cache/nginx"
  ln -sf /dev/stderr "$dir/var/log/nginx/error.log"
  ln -sf /dev/stdout "$dir/var/log/nginx/access.log"
  cat > "$dir/etc/nginx/nginx.conf" <<'CONF'
worker_processes auto;
error_log /dev/stderr notice;
pid /tmp/nginx.pid;
events { worker_connections 1024; }
http {
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    sendfile on;
    keepalive_timeout 65;
    include /etc/nginx/conf.d/*.conf;
}
CONF
}

static_image() { # name tag binary [args...]: FROM scratch + one static binary as its entrypoint
  local name=$1 tag=$2 binary=$3; shift 3
  local image=localhost/ner-e2e/$name:$tag
  if bah inspect --type image "$image" >/dev/null 2>&1 && [ "$OUT/$name.tar" -nt "$binary" ]; then return; fi
  log "image $image"
  local ctr
  ctr=$(bah from scratch)
  bah copy "$ctr" "$binary" "/$name" >/dev/null
  local entry
  entry=$(printf '"%s",' "/$name" "$@"); entry="[${entry%,}]"
  bah config --entrypoint "$entry" --user 65532:65532 "$ctr"
  bah commit -q --rm "$ctr" "$image" >/dev/null
  save "$image" "$name"
}

save() { # image file-stem: a docker-archive that ctr imports
  rm -f "$OUT/$2.tar"
  nice -n 19 podman "${STORAGE_OPTS[@]}" save -q --format docker-archive -o "$OUT/$2.tar" "$1"
}

pause_binary() { # the pause process of k8s.io/kubernetes' own build/pause, compiled static
  local src=$GOMODCACHE/k8s.io/kubernetes@v$K8S_VERSION/build/pause/linux/pause.c
  if [ ! -x "$BIN/pause" ] || [ "$BIN/pause" -ot "$src" ]; then
    gcc -Os -static -DVERSION="v$K8S_VERSION" -o "$BIN/pause" "$src" && strip "$BIN/pause"
  fi
}

app_images() { # ner-api and the WebUI, from the Dockerfiles users build
  local tag=${E2E_IMAGE_TAG:-e2e}
  [ -f "$REPO_ROOT/ner-api/target/quarkus-app/quarkus-run.jar" ] ||
    { log "ner-api is not packaged: ./mvnw -B -pl ner-api -am package -DskipTests"; exit 1; }
  log "image localhost/ner-suite/ner-api:$tag (Dockerfile.jvm)"
  (cd "$REPO_ROOT" && bah bud -q --layers --format docker --isolation chroot -f Dockerfile.jvm \
    --build-arg RUNTIME_IMAGE=localhost/ner-e2e/jre:$DEBIAN_SUITE -t "localhost/ner-suite/ner-api:$tag" . >/dev/null)
  save "localhost/ner-suite/ner-api:$tag" ner-api
  log "image localhost/ner-suite/ner-webui:$tag (ner-webui/Dockerfile)"
  (cd "$REPO_ROOT/ner-webui" && bah bud -q --layers --format docker --isolation chroot \
    --build-arg NGINX_IMAGE=localhost/ner-e2e/nginx:$DEBIAN_SUITE -t "localhost/ner-suite/ner-webui:$tag" . >/dev/null)
  save "localhost/ner-suite/ner-webui:$tag" ner-webui
  # Earlier commits' application images: buildah's layer cache keeps what a rebuild reuses.
  local old
  for old in $(bah images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/ner-suite/' | grep -v ":$tag\$" || true); do
    bah rmi "$old" >/dev/null 2>&1 || true
  done
}

main() {
  minbase
  base_image jre "openjdk-17-jre-headless" setup_jre
  base_image nginx "nginx" setup_nginx '["nginx", "-g", "daemon off;"]'
  base_image curl "curl ca-certificates" setup_curl
  [ "$OUT/curl.tar" -nt "$E2E_CACHE/containers/storage" ] || save "localhost/ner-e2e/curl:$DEBIAN_SUITE" curl
  pause_binary
  static_image pause "$K8S_VERSION" "$BIN/pause"
  static_image coredns "$COREDNS_VERSION" "$BIN/coredns"
  static_image traefik "$TRAEFIK_VERSION" "$BIN/traefik"
  static_image metrics-server "$METRICS_SERVER_VERSION" "$BIN/metrics-server"
  app_images
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case ${1:-all} in
    all) main ;;
    bases) minbase; base_image jre "openjdk-17-jre-headless" setup_jre; base_image nginx "nginx" setup_nginx '["nginx", "-g", "daemon off;"]'; base_image curl "curl ca-certificates" setup_curl ;;
    apps) app_images ;;
    *) echo "usage: $0 [all|bases|apps]" >&2; exit 2 ;;
  esac
fi
