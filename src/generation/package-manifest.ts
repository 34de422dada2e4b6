import type { PackageContribution } from './generated-files.js';

// The generated app's package.json, composed from what each generator contributes. Deterministic: keys are
// sorted, and the same contributions in the same order give the same text.

export interface PackageIdentity {
  /** kebab-case package name */
  readonly name: string;
  readonly description: string;
}

const sortedRecord = (record: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(record).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));

function mergedDependencies(
  contributions: readonly PackageContribution[],
  kind: 'dependencies' | 'devDependencies',
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const contribution of contributions) {
    for (const [name, version] of Object.entries(contribution[kind])) {
      const earlier = merged[name];
      if (earlier !== undefined && earlier !== version) {
        throw new Error(`two generators pin ${name} differently: ${earlier} and ${version}`);
      }
      merged[name] = version;
    }
  }
  return merged;
}

/**
 * Scripts of the same name run one after the other, in the order of the contributions (the backend's
 * `build` then the frontend's), each command once.
 */
function mergedScripts(contributions: readonly PackageContribution[]): Record<string, string> {
  const commands = new Map<string, string[]>();
  for (const contribution of contributions) {
    for (const [name, command] of Object.entries(contribution.scripts)) {
      const list = commands.get(name) ?? [];
      if (!list.includes(command)) list.push(command);
      commands.set(name, list);
    }
  }
  return Object.fromEntries([...commands].map(([name, list]) => [name, list.join(' && ')]));
}

/** package.json's text. A package depended on both ways is only a dependency. */
export function packageManifestOf(identity: PackageIdentity, contributions: readonly PackageContribution[]): string {
  const dependencies = mergedDependencies(contributions, 'dependencies');
  const devDependencies = mergedDependencies(contributions, 'devDependencies');
  for (const [name, version] of Object.entries(devDependencies)) {
    const runtime = dependencies[name];
    if (runtime === undefined) continue;
    if (runtime !== version) throw new Error(`two generators pin ${name} differently: ${runtime} and ${version}`);
    delete devDependencies[name];
  }
  const manifest = {
    name: identity.name,
    version: '0.1.0',
    private: true,
    description: identity.description,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: sortedRecord(mergedScripts(contributions)),
    dependencies: sortedRecord(dependencies),
    devDependencies: sortedRecord(devDependencies),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
