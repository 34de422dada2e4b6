// What a generator hands back: the files it wrote, by path relative to the app's root (forward slashes),
// and what it adds to the app's package.json. Generators are pure: the same model gives the same files.

export type GeneratedFiles = Readonly<Record<string, string>>;

export interface PackageContribution {
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  readonly scripts: Readonly<Record<string, string>>;
}
