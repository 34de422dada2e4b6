import type { AppModel } from './app-model.js';
import type { GeneratedFiles, PackageContribution } from './generated-files.js';
import { INITIAL_MIGRATION } from './backend/migrations-file.js';
import { openApiJsonText } from './backend/openapi-file.js';
import { packageManifestOf } from './package-manifest.js';

// The whole generated app: the files of every part (the backend, and later the frontend and the
// infrastructure) and the package.json composed from their contributions.

export interface AppPart {
  readonly files: GeneratedFiles;
  readonly contribution: PackageContribution;
}

export interface AppInputs {
  readonly model: AppModel;
  readonly document: Readonly<Record<string, unknown>>;
  readonly sql: string;
  /** the generators' outputs, in the order their scripts run */
  readonly parts: readonly AppPart[];
}

/** The files of all parts, with the API's contract and the database's first migration, and package.json. */
export function appFilesOf({ model, document, sql, parts }: AppInputs): GeneratedFiles {
  // Every part reads the same contract: one that wrote another version of these would fail below.
  const files: Record<string, string> = { 'openapi.json': openApiJsonText(document), [INITIAL_MIGRATION]: sql };
  for (const part of parts) {
    for (const [path, text] of Object.entries(part.files)) {
      if (path === 'package.json') throw new Error('package.json is composed from contributions, not written');
      if (path in files && files[path] !== text) throw new Error(`two parts write ${path} differently`);
      files[path] = text;
    }
  }
  files['package.json'] = packageManifestOf(
    model,
    parts.map((part) => part.contribution),
  );
  return Object.fromEntries(Object.entries(files).sort(([left], [right]) => (left < right ? -1 : 1)));
}
