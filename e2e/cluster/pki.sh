# Certificates and kubeconfigs of one cluster, made with openssl (sourced by up.sh). A fresh CA per
# run: nothing secret outlives the cluster.
# shellcheck shell=bash

pki_cert() { # name CN O ca [extensions]; writes $PKI/name.{key,crt} signed by $PKI/ca.{key,crt}
  local name=$1 cn=$2 org=$3 ca=$4 ext=${5:-}
  local subj="/CN=$cn"
  [ -n "$org" ] && subj="/O=$org$subj"
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=${EKU:-clientAuth}" ${ext:+"subjectAltName=$ext"} > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 7 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

pki_ca() { # name CN
  openssl genrsa -out "$PKI/$1.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days 7 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$PKI/$1.crt" 2>/dev/null
}

kubeconfig() { # file user cert-name server
  local file=$1 user=$2 cert=$3 server=$4
  cat > "$file" <<KC
apiVersion: v1
kind: Config
clusters:
- name: ner-e2e
  cluster:
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
    server: $server
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$cert.crt")
    client-key-data: $(base64 -w0 "$PKI/$cert.key")
contexts:
- name: ner-e2e
  context: {cluster: ner-e2e, user: $user}
current-context: ner-e2e
KC
}

make_pki() { # nodes...
  mkdir -p "$PKI"
  pki_ca ca kubernetes-ca
  pki_ca front-proxy-ca front-proxy-ca
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  EKU=serverAuth pki_cert apiserver kube-apiserver "" ca \
    "IP:$NODE_IP,IP:127.0.0.1,IP:$KUBERNETES_SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
  pki_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters ca
  pki_cert front-proxy-client front-proxy-client "" front-proxy-ca
  pki_cert admin kubernetes-admin system:masters ca
  pki_cert controller-manager system:kube-controller-manager "" ca
  pki_cert scheduler system:kube-scheduler "" ca
  pki_cert kube-proxy system:kube-proxy "" ca
  local node ip
  for node in "$@"; do
    ip=$(node_ip "$node")
    pki_cert "kubelet-$node" "system:node:$node" system:nodes ca
    EKU=serverAuth pki_cert "kubelet-serving-$node" "$node" "" ca "IP:$ip,DNS:$node"
  done
  local local_api=https://127.0.0.1:6443
  kubeconfig "$PKI/admin.kubeconfig" admin admin "https://$NODE_IP:6443"
  kubeconfig "$PKI/controller-manager.kubeconfig" controller-manager controller-manager $local_api
  kubeconfig "$PKI/scheduler.kubeconfig" scheduler scheduler $local_api
  kubeconfig "$PKI/kube-proxy.kubeconfig" kube-proxy kube-proxy "https://$NODE_IP:6443"
  for node in "$@"; do
    kubeconfig "$PKI/kubelet-$node.kubeconfig" "system:node:$node" "kubelet-$node" "https://$NODE_IP:6443"
  done
}
