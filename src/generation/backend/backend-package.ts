import type { GeneratedFiles, PackageContribution } from '../generated-files.js';

// What the backend adds to the app's package.json, and its compiler and linter settings. Versions are
// pinned exactly, each one checked to run on Node 20: @fastify/static stays at 10.1.3 and light-my-request
// (what `app.inject` runs on) at 6.6.0 because their later releases pull in packages that need Node 22.

export const BACKEND_DEPENDENCIES: Readonly<Record<string, string>> = {
  '@electric-sql/pglite': '0.6.1',
  '@fastify/static': '10.1.3',
  ajv: '8.20.0',
  'ajv-formats': '3.0.1',
  fastify: '5.12.8',
  pg: '8.23.1',
};

export const BACKEND_DEV_DEPENDENCIES: Readonly<Record<string, string>> = {
  '@types/node': '20.19.43',
  '@types/pg': '8.23.1',
  'light-my-request': '6.6.0',
  oxlint: '1.96.0',
  typescript: '5.9.3',
};

export function backendContribution(): PackageContribution {
  return {
    dependencies: BACKEND_DEPENDENCIES,
    devDependencies: BACKEND_DEV_DEPENDENCIES,
    scripts: {
      build: 'tsc -p tsconfig.json',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      // oxlint: a real linter (correctness and suspicious rules) in one small native package
      lint: 'oxlint --deny-warnings src',
      test: 'tsc -p tsconfig.json && node --test dist/test/*.test.js',
      start: 'node dist/server.js',
    },
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function backendConfigurationFiles(): GeneratedFiles {
  return {
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        noImplicitOverride: true,
        noImplicitReturns: true,
        noFallthroughCasesInSwitch: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        isolatedModules: true,
        forceConsistentCasingInFileNames: true,
        skipLibCheck: true,
        rootDir: 'src',
        outDir: 'dist',
      },
      include: ['src'],
    }),
    '.oxlintrc.json': json({
      $schema: './node_modules/oxlint/configuration_schema.json',
      categories: { correctness: 'error', suspicious: 'error' },
      // an Express rule: Fastify awaits async handlers and sends what they return
      rules: { 'oxc/no-async-endpoint-handlers': 'off' },
    }),
    '.gitignore': 'node_modules/\ndist/\ndata/\n',
  };
}
