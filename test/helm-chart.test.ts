import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { CONFIGURATION_VARIABLES } from '../src/config/config.js';
import { renderManifests } from '../scripts/render-kubernetes.js';
import { isLvlupCommand } from './support/lvlup-command.js';

// The chart is checked without a cluster: every manifest it renders, for every values file in its ci/
// folder (the combinations the README documents), must validate against the Kubernetes JSON schemas
// (kubernetes-models), run only lvlup commands, set only variables lvlup reads, and keep what the README
// promises (probes, non-root, read-only root). The plain manifests in deploy/kubernetes are the default
// render and must not drift from the chart. Rendering needs Helm: .ci/run installs it (HELM_PATH).

const root = fileURLToPath(new URL('..', import.meta.url));
const chart = path.join(root, 'deploy/helm/lvlup');
const helm = process.env.HELM_PATH || 'helm';
const helmMissing = spawnSync(helm, ['version'], { stdio: 'ignore' }).status !== 0;
const needsHelm = helmMissing ? 'Helm is not installed (set HELM_PATH; .ci/run installs it)' : false;

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => {
      assert.deepEqual(document.errors, [], 'the render is YAML');
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** Validates each manifest against its kind's schema; answers them by `Kind/name`. */
function validated(manifests: Manifest[]): Map<string, Manifest> {
  const byName = new Map<string, Manifest>();
  for (const manifest of manifests) {
    const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
    assert.ok(Model, `${manifest.apiVersion} ${manifest.kind} is a kind this check knows`);
    assert.doesNotThrow(() => new Model(manifest as never).validate(), `${manifest.kind}/${manifest.metadata.name}`);
    byName.set(`${manifest.kind}/${manifest.metadata.name}`, manifest);
  }
  return byName;
}

const renderWith = async (valuesFile?: string, settings: string[] = []) => {
  const args = ['template', 'lvlup', chart, ...(valuesFile ? ['--values', valuesFile] : [])];
  for (const setting of settings) args.push('--set', setting);
  const { stdout } = await promisify(execFile)(helm, args);
  return parseManifests(stdout);
};

const podSpec = (workload: Manifest) =>
  (workload as unknown as { spec: { template: { spec: Record<string, unknown> & { containers: IContainer[] } } } }).spec
    .template.spec;

/** What every lvlup container must be: an lvlup command, known variables, non-root with a read-only root. */
async function checkLvlupContainer(workload: Manifest, configMap: Manifest | undefined) {
  const spec = podSpec(workload);
  const [container] = spec.containers;
  assert.ok(container);
  assert.ok(await isLvlupCommand(container.args!), `${workload.metadata.name}: lvlup ${container.args?.join(' ')}`);
  const known = new Set<string>(CONFIGURATION_VARIABLES);
  for (const variable of container.env ?? []) assert.ok(known.has(variable.name), `${variable.name} is read by lvlup`);
  for (const name of Object.keys((configMap?.data as Record<string, string>) ?? {})) {
    assert.ok(known.has(name), `ConfigMap ${name} is read by lvlup`);
  }
  assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
  assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
  assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL']);
  assert.equal((spec.securityContext as { runAsNonRoot?: boolean }).runAsNonRoot, true);
  // writable: the shared data folder and /tmp, nothing else
  assert.deepEqual(container.volumeMounts?.map((mount) => mount.mountPath).sort(), ['/data', '/tmp']);
}

describe('deploy/kubernetes/lvlup.yaml (the plain manifests)', () => {
  const manifests = validated(parseManifests(readFileSync(path.join(root, 'deploy/kubernetes/lvlup.yaml'), 'utf8')));

  it('hold the API and worker Deployments, Service, migration Job, ConfigMap, data volume and disruption budgets', () => {
    assert.deepEqual([...manifests.keys()].sort(), [
      'ConfigMap/lvlup',
      'Deployment/lvlup-api',
      'Deployment/lvlup-worker',
      'Job/lvlup-migrate-1',
      'PersistentVolumeClaim/lvlup-data',
      'PodDisruptionBudget/lvlup-api',
      'PodDisruptionBudget/lvlup-worker',
      'Service/lvlup',
    ]);
  });

  it('probe the API on /health and /health/ready, and route the Service to it', () => {
    const [api] = podSpec(manifests.get('Deployment/lvlup-api')!).containers;
    assert.equal(api!.livenessProbe?.httpGet?.path, '/health');
    assert.equal(api!.startupProbe?.httpGet?.path, '/health');
    assert.equal(api!.readinessProbe?.httpGet?.path, '/health/ready');
    const service = manifests.get('Service/lvlup') as unknown as { spec: { selector: Record<string, string> } };
    assert.equal(service.spec.selector['app.kubernetes.io/component'], 'api');
    const claim = manifests.get('PersistentVolumeClaim/lvlup-data') as unknown as { spec: { accessModes: string[] } };
    assert.deepEqual(claim.spec.accessModes, ['ReadWriteMany'], 'every pod shares the data folder');
  });

  it('run only lvlup commands with known variables, non-root, read-only root, secrets from the Secret', async () => {
    const configMap = manifests.get('ConfigMap/lvlup');
    for (const name of ['Deployment/lvlup-api', 'Deployment/lvlup-worker', 'Job/lvlup-migrate-1']) {
      await checkLvlupContainer(manifests.get(name)!, configMap);
      const [container] = podSpec(manifests.get(name)!).containers;
      const secretKey = container!.env?.find((variable) => variable.name === 'SECRET_KEY');
      assert.equal(secretKey?.valueFrom?.secretKeyRef?.name, 'lvlup');
    }
    assert.deepEqual(podSpec(manifests.get('Deployment/lvlup-api')!).containers[0]!.args, ['serve', '--no-worker']);
    assert.deepEqual(podSpec(manifests.get('Deployment/lvlup-worker')!).containers[0]!.args, ['worker']);
    assert.deepEqual(podSpec(manifests.get('Job/lvlup-migrate-1')!).containers[0]!.args, ['migrate']);
  });

  it('are the chart’s render, unchanged', { skip: needsHelm }, () => {
    assert.equal(
      readFileSync(path.join(root, 'deploy/kubernetes/lvlup.yaml'), 'utf8'),
      renderManifests(helm),
      'run npm run kubernetes',
    );
  });
});

describe('the Helm chart', { skip: needsHelm }, () => {
  const valuesFiles = readdirSync(path.join(chart, 'ci')).filter((file) => file.endsWith('-values.yaml'));

  it('renders every documented combination into manifests that validate, and passes helm lint', async () => {
    assert.ok(valuesFiles.length >= 5);
    for (const file of valuesFiles) {
      const manifests = validated(await renderWith(path.join(chart, 'ci', file)));
      const configMap = manifests.get('ConfigMap/lvlup');
      for (const [name, manifest] of manifests) {
        if (name.startsWith('Deployment/') || name.startsWith('Job/')) await checkLvlupContainer(manifest, configMap);
      }
      await promisify(execFile)(helm, ['lint', '--strict', chart, '--values', path.join(chart, 'ci', file)]);
    }
  });

  it('makes what each combination asks for', async () => {
    const inline = validated(await renderWith(path.join(chart, 'ci/inline-secret-values.yaml')));
    const secret = inline.get('Secret/lvlup') as unknown as { stringData: Record<string, string> };
    assert.deepEqual(Object.keys(secret.stringData).sort(), ['DATABASE_URL', 'SECRET_KEY']);
    assert.equal(
      (inline.get('ConfigMap/lvlup') as unknown as { data: Record<string, string> }).data.REDIS_URL,
      'redis://redis:6379',
    );

    const ingress = validated(await renderWith(path.join(chart, 'ci/ingress-values.yaml')));
    const rule = ingress.get('Ingress/lvlup') as unknown as {
      spec: { tls: { secretName: string }[]; rules: { host: string }[] };
    };
    assert.equal(rule.spec.rules[0]!.host, 'lvlup.example.com');
    assert.equal(rule.spec.tls[0]!.secretName, 'lvlup-tls');

    const scaled = validated(await renderWith(path.join(chart, 'ci/autoscaling-values.yaml')));
    assert.ok(scaled.has('HorizontalPodAutoscaler/lvlup-api') && scaled.has('HorizontalPodAutoscaler/lvlup-worker'));
    for (const name of ['Deployment/lvlup-api', 'Deployment/lvlup-worker']) {
      assert.equal(
        (scaled.get(name) as unknown as { spec: { replicas?: number } }).spec.replicas,
        undefined,
        'the HPA owns the replicas',
      );
    }
    const [worker] = podSpec(scaled.get('Deployment/lvlup-worker')!).containers;
    assert.equal(
      worker!.env?.find((variable) => variable.name === 'REDIS_URL')?.valueFrom?.secretKeyRef?.key,
      'REDIS_URL',
    );

    const claimed = validated(await renderWith(path.join(chart, 'ci/existing-claim-values.yaml')));
    assert.ok(
      !claimed.has('PersistentVolumeClaim/lvlup-data') && ![...claimed.keys()].some((name) => name.startsWith('Job/')),
    );
    const workerSpec = podSpec(claimed.get('Deployment/lvlup-worker')!);
    assert.deepEqual(
      (workerSpec.volumes as { persistentVolumeClaim?: { claimName: string } }[])[0]!.persistentVolumeClaim,
      {
        claimName: 'lvlup-data',
      },
    );
    assert.equal(workerSpec.containers[0]!.image, 'registry.example.com/lvlup:0.1.0');
  });

  it('refuses values that would make a broken install, naming the value', async () => {
    const refusal = async (settings: string[]) => {
      const error = await renderWith(undefined, settings).then(
        () => undefined,
        (failure: { stderr: string }) => failure.stderr,
      );
      assert.ok(error, `helm refused ${settings.join(' ')}`);
      return error;
    };
    assert.match(await refusal([]), /secretKey .* or existingSecret is required/);
    assert.match(
      await refusal(['secretKey=0123456789abcdef0123456789abcdef']),
      /database\.url or existingSecret is required/,
    );
    assert.match(await refusal(['existingSecret=lvlup', 'replica=3']), /additional properties 'replica' not allowed/);
    assert.match(await refusal(['existingSecret=lvlup', 'worker.seccompProfile=Privileged']), /seccompProfile/);
  });
});
