import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const QUERIES_BELONG_IN_STORES =
  "Stores are the only door to the database: queries belong in the domain's store module (an existing " +
  '*-store.ts, or a new *-queries.ts next to the logic), which this module then calls. Only src/db/, ' +
  '*-store.ts and *-queries.ts import drizzle-orm or the schema.';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      '.lvlup',
      '.scratch',
      'bench/results',
      'bench/guardian-corpus',
      'migrations',
      'web/dist',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            '*.js',
            '.dependency-cruiser.cjs',
            'bin/*.js',
            'scripts/*.js',
            'src/compute/*.js',
            'test/support/*.js',
            'test/fixtures/deploy-app/*.js',
          ],
          // the plain JavaScript files above outnumber the default of 8
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 20,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  // Stores are the only door to the database: outside src/db/, only *-store.ts and *-queries.ts modules
  // import drizzle-orm or the schema's tables. Domain modules may import the schema's row types (type-only);
  // src/server/ may not even do that, it takes its types from the domain modules.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/db/**', 'src/**/*-store.ts', 'src/**/*-queries.ts', 'src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['drizzle-orm', 'drizzle-orm/*'], message: QUERIES_BELONG_IN_STORES },
            {
              group: ['**/db/schema', '**/db/schema.js'],
              allowTypeImports: true,
              message: `${QUERIES_BELONG_IN_STORES} Outside src/server/, \`import type\` of the schema's row types is allowed.`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['drizzle-orm', 'drizzle-orm/*'], message: QUERIES_BELONG_IN_STORES },
            {
              group: ['**/db/schema', '**/db/schema.js'],
              message:
                "src/server/ does not import the schema, not even its types: it calls the domain's store " +
                '(*-store.ts / *-queries.ts) and takes row types from there (e.g. `type Proposal` from proposal-store.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.test.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
);
