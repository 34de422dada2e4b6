import type { AppModel } from '../app-model.js';
import type { GeneratedFiles } from '../generated-files.js';
import { composeOf, dockerfileOf, dockerignore } from './container-files.js';
import { kubernetesManifestsOf } from './kubernetes.js';
import { readmeOf } from './readme.js';

// Stage 7: how the app is shipped and explained: the container image, a local run with PostgreSQL, Kubernetes
// manifests and the README.

export function infrastructureOf(model: AppModel, targets: readonly string[]): GeneratedFiles {
  return {
    Dockerfile: dockerfileOf({ web: targets.includes('web') }),
    '.dockerignore': dockerignore,
    'compose.yaml': composeOf(),
    ...kubernetesManifestsOf(model.name),
    'README.md': readmeOf(model, targets),
  };
}
