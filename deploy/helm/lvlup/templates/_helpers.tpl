{{/* The release's resource name prefix: the release name, with the chart's name unless it already holds it. */}}
{{- define "lvlup.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "lvlup.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component (api, worker, migrate). */}}
{{- define "lvlup.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "lvlup.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "lvlup.secretName" -}}
{{- if .Values.existingSecret -}}
{{ .Values.existingSecret }}
{{- else -}}
{{ include "lvlup.fullname" . }}
{{- end -}}
{{- end -}}

{{- define "lvlup.claimName" -}}
{{- if .Values.persistence.existingClaim -}}
{{ .Values.persistence.existingClaim }}
{{- else -}}
{{ include "lvlup.fullname" . }}-data
{{- end -}}
{{- end -}}

{{/* Environment shared by every lvlup container: secrets from the Secret, settings from the ConfigMap. */}}
{{- define "lvlup.environment" -}}
envFrom:
  - configMapRef:
      name: {{ include "lvlup.fullname" . }}
env:
  - name: SECRET_KEY
    valueFrom:
      secretKeyRef:
        name: {{ include "lvlup.secretName" . }}
        key: SECRET_KEY
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ include "lvlup.secretName" . }}
        key: DATABASE_URL
{{- if .Values.redis.fromSecret }}
  - name: REDIS_URL
    valueFrom:
      secretKeyRef:
        name: {{ include "lvlup.secretName" . }}
        key: REDIS_URL
{{- end }}
{{- end -}}

{{/* The data folder (shared by every pod) and a writable /tmp under a read-only root filesystem. */}}
{{- define "lvlup.volumes" -}}
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: {{ include "lvlup.claimName" . }}
  - name: tmp
    emptyDir: {}
{{- end -}}

{{- define "lvlup.volumeMounts" -}}
volumeMounts:
  - name: data
    mountPath: /data
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{- define "lvlup.scheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
