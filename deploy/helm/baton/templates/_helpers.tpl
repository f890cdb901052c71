{{/* Chart name, at most 63 characters. */}}
{{- define "baton.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name; the release name alone when it already contains the chart's. */}}
{{- define "baton.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The objects of one Baton service are named <fullname>-<service>. The templates below that take a
service are called with (dict "root" $ "service" "<name>"); without "service" they describe the
chart as a whole.
*/}}
{{- define "baton.serviceName" -}}
{{- printf "%s-%s" (include "baton.fullname" .root) .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "baton.selectorLabels" -}}
app.kubernetes.io/name: {{ include "baton.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .service }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{- define "baton.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "baton.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: baton
{{- end -}}

{{- define "baton.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The Secret holding BATON_DATABASE_URL, and the key in it. */}}
{{- define "baton.databaseSecretName" -}}
{{- .Values.database.existingSecret | default (printf "%s-database" (include "baton.fullname" .)) -}}
{{- end -}}

{{- define "baton.databaseSecretKey" -}}
{{- if .Values.database.existingSecret -}}
{{- .Values.database.existingSecretKey -}}
{{- else -}}
BATON_DATABASE_URL
{{- end -}}
{{- end -}}

{{/* The API keys Secret ("" when no keys are configured), the key in it, and where it is mounted. */}}
{{- define "baton.apiKeysSecretName" -}}
{{- if .Values.apiKeys.existingSecret -}}
{{- .Values.apiKeys.existingSecret -}}
{{- else if .Values.apiKeys.file -}}
{{- printf "%s-api-keys" (include "baton.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "baton.apiKeysSecretKey" -}}
{{- if .Values.apiKeys.existingSecret -}}
{{- .Values.apiKeys.existingSecretKey -}}
{{- else -}}
api-keys.yaml
{{- end -}}
{{- end -}}

{{- define "baton.apiKeysDir" -}}/app/config/api-keys{{- end -}}

{{/* The ConfigMap holding the workflow definitions and organisations, and where it is mounted. */}}
{{- define "baton.workflowsConfigMapName" -}}
{{- .Values.workflows.existingConfigMap | default (printf "%s-workflows" (include "baton.fullname" .)) -}}
{{- end -}}

{{- define "baton.workflowsDir" -}}/app/config/workflows{{- end -}}

{{/* The pods' ServiceAccount. */}}
{{- define "baton.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "baton.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/*
A service's autoscaling as YAML: each key from the service's own `autoscaling` where it sets it,
else from the chart's. Key by key with hasKey, because sprig's merge treats `enabled: false` as
unset and would turn it back on.
*/}}
{{- define "baton.autoscaling" -}}
{{- $svc := index .root.Values.services .service -}}
{{- $own := $svc.autoscaling | default dict -}}
{{- $defaults := .root.Values.autoscaling -}}
{{- $result := dict -}}
{{- range $key := list "enabled" "minReplicas" "maxReplicas" "targetCPUUtilizationPercentage" -}}
{{- $_ := set $result $key (ternary (index $own $key) (index $defaults $key) (hasKey $own $key)) -}}
{{- end -}}
{{- $ownLag := $own.consumerLag | default dict -}}
{{- $lag := dict -}}
{{- range $key := list "enabled" "metricName" "targetAverageValue" -}}
{{- $_ := set $lag $key (ternary (index $ownLag $key) (index $defaults.consumerLag $key) (hasKey $ownLag $key)) -}}
{{- end -}}
{{- $_ := set $result "consumerLag" $lag -}}
{{- toYaml $result -}}
{{- end -}}

{{/*
Environment of one service as ConfigMap data: the common env, the service's own env over it, and
what the chart itself decides, which always wins: BATON_HTTP_PORT from its port (the container
port too), BATON_WORKFLOWS_DIR where the workflows ConfigMap is mounted and, when keys are
configured, BATON_API_KEYS_FILE where their Secret is mounted.
*/}}
{{- define "baton.serviceEnv" -}}
{{- $svc := index .root.Values.services .service -}}
{{- $own := dict "BATON_HTTP_PORT" $svc.port "BATON_WORKFLOWS_DIR" (include "baton.workflowsDir" .root) -}}
{{- if include "baton.apiKeysSecretName" .root -}}
{{- $_ := set $own "BATON_API_KEYS_FILE" (printf "%s/api-keys.yaml" (include "baton.apiKeysDir" .root)) -}}
{{- end -}}
{{- if .root.Values.sampleSystems.enabled -}}
{{- $_ := set $own "BATON_CONNECTORS_URL" (printf "http://%s:%v" (include "baton.serviceName" (dict "root" .root "service" "sample-systems")) .root.Values.sampleSystems.port) -}}
{{- end -}}
{{- $env := merge $own (deepCopy ($svc.env | default dict)) (deepCopy .root.Values.env) -}}
{{- range $key, $value := $env }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
