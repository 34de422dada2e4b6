import type { PackageContribution } from '../generated-files.js';

// What the single-page app adds to the generated package.json. Exact versions, so every generated app builds
// the same way; each runs on Node 20.19 and later (vite 8 and @vitejs/plugin-react 6 ask for ^20.19).
// \`build\` and \`typecheck\` join the backend's scripts of the same names (package-manifest.ts runs them one after
// the other), so \`npm run build\` builds the whole app; the \`:web\` scripts do the web app alone.

export const FRONTEND_CONTRIBUTION: PackageContribution = {
  dependencies: {
    react: '18.3.1',
    'react-dom': '18.3.1',
  },
  devDependencies: {
    '@types/react': '18.3.32',
    '@types/react-dom': '18.3.7',
    '@vitejs/plugin-react': '6.3.1',
    typescript: '5.9.3',
    vite: '8.4.1',
  },
  scripts: {
    build: 'vite build',
    typecheck: 'tsc -p web/tsconfig.json --noEmit',
    'build:web': 'vite build',
    'dev:web': 'vite',
    'typecheck:web': 'tsc -p web/tsconfig.json --noEmit',
  },
};
