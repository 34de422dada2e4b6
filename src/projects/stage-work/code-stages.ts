import { createHash } from 'node:crypto';
import type { AppModel } from '../../generation/app-model.js';
import { appFilesOf, type AppPart } from '../../generation/app-files.js';
import { backendOf } from '../../generation/backend/backend.js';
import { flutterClientOf } from '../../generation/flutter/flutter-client.js';
import { frontendOf } from '../../generation/frontend/frontend.js';
import { infrastructureOf } from '../../generation/infrastructure/infrastructure.js';
import { openApiDocumentOf } from '../../generation/openapi-document.js';
import { sqlSchemaOf } from '../../generation/sql-schema.js';
import { projectModel } from './project-model.js';
import type { StageArtifact, StageInput, StageWork } from './stage-work.js';

// Stages 5 to 7: the code of the app. Each writes the whole app as it stands after it (package.json is
// composed from the parts so far), so a stage's commit is an app that later stages only add to.

interface Parts {
  readonly model: AppModel;
  readonly document: Record<string, unknown>;
  readonly sql: string;
  readonly backend: AppPart;
  readonly frontend: AppPart | undefined;
  /** the Flutter client (`flutter` target), which adds nothing to package.json */
  readonly flutter: AppPart | undefined;
}

async function partsOf({ project, folder, engine }: Pick<StageInput, 'project' | 'folder' | 'engine'>): Promise<Parts> {
  const model = await projectModel(project, folder, engine);
  const document = openApiDocumentOf(model);
  const sql = sqlSchemaOf(model);
  return {
    model,
    document,
    sql,
    backend: backendOf(model, document, sql),
    frontend: project.targets.includes('web') ? frontendOf(model, document) : undefined,
    flutter: project.targets.includes('flutter')
      ? {
          files: flutterClientOf(model, document),
          contribution: { dependencies: {}, devDependencies: {}, scripts: {} },
        }
      : undefined,
  };
}

/** A stage's source-tree artifact: every file it wrote, with its size and SHA-256. */
function sourceTree(name: string, files: Readonly<Record<string, string>>): StageArtifact {
  const listing = Object.entries(files).map(([path, text]) => ({
    path,
    size: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
  }));
  return { kind: 'source_tree', name, mediaType: 'application/json', content: `${JSON.stringify(listing, null, 2)}\n` };
}

const describe = (files: Readonly<Record<string, string>>) =>
  `${Object.keys(files).length} files, ${Object.values(files).reduce((total, text) => total + Buffer.byteLength(text), 0)} bytes`;

export const backendStage: StageWork = async (input) => {
  const { model, document, sql, backend } = await partsOf(input);
  const files = appFilesOf({ model, document, sql, parts: [backend] });
  await input.log(`backend for ${model.resources.length} resources: ${describe(backend.files)}`);
  return { files, artifacts: [sourceTree('backend-files.json', backend.files)] };
};

export const frontendStage: StageWork = async (input) => {
  const { project, log } = input;
  const { model, document, sql, backend, frontend, flutter } = await partsOf(input);
  if (!frontend && !flutter) {
    return {
      files: {},
      artifacts: [],
      skipped: `the targets are ${project.targets.join(', ')}: no web frontend was asked for`,
    };
  }
  const clients = [frontend, flutter].filter((part): part is AppPart => part !== undefined);
  const files = appFilesOf({ model, document, sql, parts: [backend, ...clients] });
  if (frontend) await log(`React + Vite frontend: ${describe(frontend.files)}`);
  if (flutter) await log(`Flutter client: ${describe(flutter.files)}`);
  return {
    files,
    artifacts: [
      ...(frontend ? [sourceTree('frontend-files.json', frontend.files)] : []),
      ...(flutter ? [sourceTree('flutter-files.json', flutter.files)] : []),
    ],
  };
};

export const infrastructureStage: StageWork = async (input) => {
  const { project, log } = input;
  const { model, document, sql, backend, frontend, flutter } = await partsOf(input);
  const infrastructure: AppPart = {
    files: infrastructureOf(model, project.targets),
    contribution: { dependencies: {}, devDependencies: {}, scripts: {} },
  };
  const parts = [backend, frontend, flutter, infrastructure].filter((part): part is AppPart => part !== undefined);
  const files = appFilesOf({ model, document, sql, parts });
  await log(`infrastructure: ${Object.keys(infrastructure.files).join(', ')}`);
  return {
    files,
    artifacts: Object.entries(infrastructure.files).map(([path, text]) => ({
      kind: 'infra',
      name: path,
      mediaType: path.endsWith('.yaml') ? 'application/yaml' : path.endsWith('.md') ? 'text/markdown' : 'text/plain',
      content: text,
    })),
  };
};
