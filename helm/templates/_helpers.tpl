{{/*
Names and labels follow `helm create`: <chart>.fullname is truncated to 63 characters (the DNS label
limit), selectors carry only labels that never change during a release's life, plus the component.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "ner-suite.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release-qualified name every object name starts with. */}}
{{- define "ner-suite.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Object name of one component: dict "root" $ "component" "api". Keeps the suffix within 63 characters. */}}
{{- define "ner-suite.componentName" -}}
{{- $suffix := printf "-%s" .component }}
{{- printf "%s%s" (include "ner-suite.fullname" .root | trunc (int (sub 63 (len $suffix))) | trimSuffix "-") $suffix }}
{{- end }}

{{/* chart label value: name-version. */}}
{{- define "ner-suite.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of one component: dict "root" $ "component" "api". Only labels that stay the same for the
whole life of a release: a Deployment's selector is immutable, so chart or app versions never go in here.
*/}}
{{- define "ner-suite.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ner-suite.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component's objects: dict "root" $ "component" "api". */}}
{{- define "ner-suite.labels" -}}
helm.sh/chart: {{ include "ner-suite.chart" .root }}
{{ include "ner-suite.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "ner-suite.name" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The ServiceAccount the pods use. */}}
{{- define "ner-suite.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ner-suite.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* An image reference from {repository, tag, digest}: dict "root" $ "image" .Values.api.image. */}}
{{- define "ner-suite.image" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag | toString) }}
{{- end }}
{{- end }}

{{/*
API versions. Picked from .Capabilities so the chart installs on old clusters too: the API list (what the
cluster serves) and the Kubernetes version (what `helm template --kube-version` states) must both allow
the newer version.
*/}}
{{- define "ner-suite.hpa.apiVersion" -}}
{{- if and (.Capabilities.APIVersions.Has "autoscaling/v2") (semverCompare ">=1.23-0" .Capabilities.KubeVersion.Version) -}}
autoscaling/v2
{{- else -}}
autoscaling/v2beta2
{{- end }}
{{- end }}

{{- define "ner-suite.pdb.apiVersion" -}}
{{- if and (.Capabilities.APIVersions.Has "policy/v1") (semverCompare ">=1.21-0" .Capabilities.KubeVersion.Version) -}}
policy/v1
{{- else -}}
policy/v1beta1
{{- end }}
{{- end }}

{{/*
The preStop hook: a sleep that keeps the pod serving while Services and Ingress controllers stop routing
to it. Kubernetes 1.30+ sleeps itself (no binary needed in the image); older clusters run `sleep`.
dict "root" $ "seconds" N
*/}}
{{- define "ner-suite.preStop" -}}
preStop:
{{- if semverCompare ">=1.30-0" .root.Capabilities.KubeVersion.Version }}
  sleep:
    seconds: {{ int .seconds }}
{{- else }}
  exec:
    command: ["sleep", {{ int .seconds | toString | quote }}]
{{- end }}
{{- end }}

{{/*
Topology spread constraints with the component's selector as labelSelector where none is given.
dict "root" $ "component" "api" "constraints" list
*/}}
{{- define "ner-suite.topologySpreadConstraints" -}}
{{- $selector := include "ner-suite.selectorLabels" . | fromYaml }}
{{- range .constraints }}
{{- $constraint := deepCopy . }}
{{- if not (hasKey $constraint "labelSelector") }}
{{- $_ := set $constraint "labelSelector" (dict "matchLabels" $selector) }}
{{- end }}
- {{ toYaml $constraint | nindent 2 | trim }}
{{- end }}
{{- end }}

{{/* A PodDisruptionBudget spec body from {enabled, maxUnavailable, minAvailable}: dict "root" $ "component" "api" "pdb" .Values.api.podDisruptionBudget */}}
{{- define "ner-suite.pdb.budget" -}}
{{- if not (eq (toString .pdb.minAvailable) "") }}
minAvailable: {{ .pdb.minAvailable }}
{{- else }}
maxUnavailable: {{ .pdb.maxUnavailable }}
{{- end }}
{{- end }}

{{/* The API's CPU limit rounded up to whole CPUs, at least 1: "1500m" -> 2, "2" -> 2, "500m" -> 1. */}}
{{- define "ner-suite.api.cpuLimitCores" -}}
{{- $cpu := toString .Values.api.resources.limits.cpu }}
{{- $cores := 0.0 }}
{{- if hasSuffix "m" $cpu }}
{{- $cores = divf (trimSuffix "m" $cpu | float64) 1000 }}
{{- else }}
{{- $cores = float64 $cpu }}
{{- end }}
{{- max 1 (ceil $cores | int) }}
{{- end }}

{{/*
ONNX Runtime intra-op threads per worker: the configured number, or 1. One thread per worker and one worker
per CPU measured about 2.5x the throughput of one worker using every CPU (docs/adr/0005-batching-defaults.md).
*/}}
{{- define "ner-suite.api.intraOpThreads" -}}
{{- if gt (int .Values.api.inference.intraOpThreads) 0 }}
{{- int .Values.api.inference.intraOpThreads }}
{{- else }}
{{- 1 }}
{{- end }}
{{- end }}

{{/*
Inference workers: the configured number, or max(1, CPU limit rounded up / intra-op threads) with integer
division ("2" -> 2 workers of 1 thread, "1500m" -> 2, "500m" -> 1; intraOpThreads 2 on "2" -> 1 worker).
Set explicitly rather than left to the application, whose default counts the CPUs the JVM sees: that
depends on the JVM's cgroup detection, while the chart knows the limit.
Invariant: workers x intra-op threads never exceeds the CPU limit rounded up, as long as neither value is
configured above it (a configured workers value or intraOpThreads wins; ManifestPolicy flags the excess).
*/}}
{{- define "ner-suite.api.workers" -}}
{{- if gt (int .Values.api.inference.workers) 0 }}
{{- int .Values.api.inference.workers }}
{{- else }}
{{- max 1 (div (include "ner-suite.api.cpuLimitCores" . | int) (include "ner-suite.api.intraOpThreads" . | int)) }}
{{- end }}
{{- end }}

{{/* The API's body limit in bytes, from a Quarkus memory size ("2M", "512K", "1G", "1048576"). */}}
{{- define "ner-suite.api.maxBodyBytes" -}}
{{- $size := toString .Values.api.limits.maxBodySize }}
{{- $unit := regexFind "[KkMmGg]$" $size | upper }}
{{- $number := trimSuffix $unit (trimSuffix (lower $unit) $size) | int64 }}
{{- $factor := dict "" 1 "K" 1024 "M" 1048576 "G" 1073741824 }}
{{- mul $number (get $factor $unit) }}
{{- end }}

{{/* Seconds the Ingress waits for the API: 5 s more than the API's own request timeout. */}}
{{- define "ner-suite.ingress.proxyTimeoutSeconds" -}}
{{- add (int .Values.api.inference.requestTimeoutSeconds) 5 }}
{{- end }}

{{/* The Ingress's annotations: the derived ingress-nginx ones, Traefik's Middleware, then the user's (which win). */}}
{{- define "ner-suite.ingress.annotations" -}}
{{- $annotations := dict }}
{{- if .Values.ingress.nginxAnnotations }}
{{- $timeout := include "ner-suite.ingress.proxyTimeoutSeconds" . }}
{{- $_ := set $annotations "nginx.ingress.kubernetes.io/proxy-body-size" (mul (include "ner-suite.api.maxBodyBytes" . | int64) 2 | toString) }}
{{- $_ := set $annotations "nginx.ingress.kubernetes.io/proxy-read-timeout" $timeout }}
{{- $_ := set $annotations "nginx.ingress.kubernetes.io/proxy-send-timeout" $timeout }}
{{- end }}
{{- if .Values.ingress.traefikMiddleware }}
{{- $_ := set $annotations "traefik.ingress.kubernetes.io/router.middlewares" (printf "%s-%s-ingress@kubernetescrd" .Release.Namespace (include "ner-suite.fullname" .)) }}
{{- end }}
{{- $annotations = merge (deepCopy .Values.ingress.annotations) $annotations }}
{{- with $annotations }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{/* The ConfigMap holding the user dictionary: the user's own, or the one the chart makes. */}}
{{- define "ner-suite.api.dictionaryConfigMap" -}}
{{- default (include "ner-suite.componentName" (dict "root" . "component" "dictionary")) .Values.api.dictionary.existingConfigMap }}
{{- end }}

{{/* The Secret holding the API keys: the user's own, or the one the chart makes. */}}
{{- define "ner-suite.api.authSecret" -}}
{{- default (include "ner-suite.componentName" (dict "root" . "component" "api-keys")) .Values.api.auth.existingSecret }}
{{- end }}

{{/* Where an extra model bundle is mounted in the API container. */}}
{{- define "ner-suite.api.extraModelPath" -}}
{{- printf "/models/extra/%s" .name }}
{{- end }}

{{/* The HPA's range must be a range: min <= max. Used by the HPA and by KEDA's ScaledObject. */}}
{{- define "ner-suite.api.checkReplicaRange" -}}
{{- $autoscaling := .Values.api.autoscaling }}
{{- if gt (int $autoscaling.minReplicas) (int $autoscaling.maxReplicas) }}
{{- fail (printf "api.autoscaling.minReplicas (%d) is above api.autoscaling.maxReplicas (%d)" (int $autoscaling.minReplicas) (int $autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}

{{/*
The HPA's scaling behaviour, shared by the HorizontalPodAutoscaler and by KEDA's ScaledObject (which
hands it to the HPA it creates).
*/}}
{{- define "ner-suite.api.hpaBehavior" -}}
scaleUp:
  # New pods take a while to load the model: add up to 100% or 4 pods a minute, whichever is more.
  stabilizationWindowSeconds: 0
  selectPolicy: Max
  policies:
    - type: Percent
      value: 100
      periodSeconds: 60
    - type: Pods
      value: 4
      periodSeconds: 60
scaleDown:
  stabilizationWindowSeconds: {{ int .Values.api.autoscaling.scaleDownStabilizationSeconds }}
  selectPolicy: Max
  policies:
    - type: Percent
      value: 50
      periodSeconds: 60
{{- end }}

{{/*
PromQL label matchers of the API's own series as the chart's ServiceMonitor has Prometheus scrape
them: the release's namespace, and `job` = the API Service's name (the operator's default).
*/}}
{{- define "ner-suite.api.promSelector" -}}
namespace="{{ .Release.Namespace }}",job="{{ include "ner-suite.componentName" (dict "root" . "component" "api") }}"
{{- end }}

{{/* A regex of the API pods' names: the Deployment's name, its ReplicaSet hash, the pod suffix. */}}
{{- define "ner-suite.api.podRegex" -}}
{{ include "ner-suite.componentName" (dict "root" . "component" "api") }}-[a-z0-9]+-[a-z0-9]+
{{- end }}
