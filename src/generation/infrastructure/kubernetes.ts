import { DEFAULT_PORT } from './app-settings.js';
import { HEALTH_PATH } from './container-files.js';

// k8s/: a Deployment with probes and limits, a Service, a ConfigMap for the settings and a Secret that only
// holds the place of the database address (the real one is never generated).

/** A name Kubernetes accepts for every object here: a DNS label that starts with a letter, room left for suffixes. */
export function kubernetesName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const lettered = /^[a-z]/.test(cleaned) ? cleaned : `app-${cleaned}`;
  return lettered.slice(0, 50).replace(/-+$/, '');
}

export function kubernetesManifestsOf(appName: string): Record<string, string> {
  const name = kubernetesName(appName);
  const labels = `app.kubernetes.io/name: ${name}`;
  const probe = (initialDelaySeconds: number, periodSeconds: number) => `httpGet:
              path: ${HEALTH_PATH}
              port: http
            initialDelaySeconds: ${initialDelaySeconds}
            periodSeconds: ${periodSeconds}
            timeoutSeconds: 5
            failureThreshold: 3`;
  return {
    'k8s/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  labels:
    ${labels}
data:
  NODE_ENV: production
  HOST: 0.0.0.0
  PORT: "${DEFAULT_PORT}"
  DATA_DIR: /data
`,
    'k8s/secret.yaml': `# A PLACEHOLDER: the value below is not a working address. Put your PostgreSQL connection string in it
# before applying, or leave this file out and create the secret yourself:
#   kubectl create secret generic ${name}-database --from-literal=DATABASE_URL='postgres://...'
apiVersion: v1
kind: Secret
metadata:
  name: ${name}-database
  labels:
    ${labels}
type: Opaque
stringData:
  DATABASE_URL: postgres://USER:PASSWORD@HOST:5432/DATABASE
`,
    'k8s/deployment.yaml': `# The image is the one the Dockerfile builds: \`docker build -t ${name}:1.0.0 .\`, pushed where the cluster
# pulls from (then write that registry's name into \`image\`).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  replicas: 1
  selector:
    matchLabels:
      ${labels}
  template:
    metadata:
      labels:
        ${labels}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 1000
      containers:
        - name: app
          image: ${name}:1.0.0
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: ${DEFAULT_PORT}
          envFrom:
            - configMapRef:
                name: ${name}-config
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: ${name}-database
                  key: DATABASE_URL
          readinessProbe:
            ${probe(5, 10)}
          livenessProbe:
            ${probe(20, 20)}
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 512Mi
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        # DATA_DIR: scratch space only; with DATABASE_URL set the data lives in PostgreSQL
        - name: data
          emptyDir: {}
`,
    'k8s/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  type: ClusterIP
  selector:
    ${labels}
  ports:
    - name: http
      port: 80
      targetPort: http
`,
  };
}
