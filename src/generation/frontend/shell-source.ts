import type { AppModel, Resource } from '../app-model.js';
import { escapeHtml, quote } from './typescript-source.js';

// The frame of the single-page app: the HTML page, the entry module, the header with its navigation, the
// home page, the stylesheet and the build configuration.

export function indexHtmlSource(model: AppModel): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />
    <title>${escapeHtml(model.title)}</title>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/src/main.tsx"></script>
  </body>
</html>
`;
}

export const mainSource = `import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no element with the id root');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
`;

/** Where the header's link for a top-level resource goes: its list, or its create form when it has no list. */
export function entryPathOf(resource: Resource): string | undefined {
  if (resource.parent) return undefined;
  if (resource.operations.includes('list')) return `/${resource.segment}`;
  if (resource.operations.includes('create')) return `/${resource.segment}/new`;
  return undefined;
}

export function appSource(model: AppModel): string {
  const entries = model.resources.flatMap((resource) => {
    const path = entryPathOf(resource);
    return path === undefined ? [] : [{ resource, path }];
  });
  // the header's links and the home page's have their own test ids, so each names one element
  const links = (indent: string, testIdPrefix: string) =>
    entries
      .map(
        ({ resource, path }) =>
          // segments are kebab-case letters and digits: nothing in them needs escaping
          `${indent}<Link to="${path}" testId="${testIdPrefix}-${resource.segment}">\n${indent}  ${resource.pluralTitle}\n${indent}</Link>`,
      )
      .join('\n');
  return `import { Link, render, usePath } from './router';
import { routes } from './routes';${model.auth ? "\nimport { SessionControls } from './auth';" : ''}

function Home() {
  return (
    <section data-testid="home">
      <h2>{${quote(model.title)}}</h2>
      <p>{${quote(model.description)}}</p>
      <nav className="home-links">
${links('        ', 'home')}
      </nav>
    </section>
  );
}

function NotFound() {
  return (
    <section data-testid="not-found">
      <h2>Not found</h2>
      <p>
        There is no page here. <Link to="/">Go home</Link>
      </p>
    </section>
  );
}

export function App() {
  const path = usePath();
  const page = path === '/' ? <Home /> : render(routes, path);
  return (
    <>
      <header>
        <Link to="/" testId="home-link">
          {${quote(model.title)}}
        </Link>
        <nav aria-label="resources">
${links('          ', 'nav')}
        </nav>${model.auth ? '\n        <SessionControls />' : ''}
      </header>
      <main>{page ?? <NotFound />}</main>
    </>
  );
}
`;
}

export const stylesSource = `:root {
  font-family: system-ui, sans-serif;
  color: #1f2328;
  background: #ffffff;
}
body {
  margin: 0;
}
header {
  display: flex;
  gap: 1rem;
  align-items: center;
  padding: 0.75rem 1.5rem;
  border-bottom: 1px solid #d0d7de;
}
header nav {
  display: flex;
  flex: 1;
  gap: 1rem;
}
main {
  padding: 1rem 1.5rem;
  max-width: 60rem;
}
table {
  border-collapse: collapse;
  width: 100%;
}
th,
td {
  text-align: left;
  padding: 0.35rem 0.5rem;
  border-bottom: 1px solid #d0d7de;
}
.field {
  display: flex;
  flex-direction: column;
  gap: 0.25rem;
  margin-bottom: 0.75rem;
  max-width: 30rem;
}
.actions,
.pager,
.home-links {
  display: flex;
  gap: 0.75rem;
  align-items: center;
  margin: 0.75rem 0;
}
.error {
  color: #b42318;
}
dl {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 0.25rem 1rem;
}
dd {
  margin: 0;
}
`;

export const webTsconfigSource = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM', 'DOM.Iterable'],
      module: 'ESNext',
      moduleResolution: 'Bundler',
      jsx: 'react-jsx',
      strict: true,
      noUncheckedIndexedAccess: true,
      noFallthroughCasesInSwitch: true,
      isolatedModules: true,
      skipLibCheck: true,
      types: ['vite/client'],
      noEmit: true,
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

export function viteConfigSource(port: number): string {
  return `import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The single-page app lives in web/ and is built into dist/web, which the backend serves at /.
// \`vite\` (the dev server) passes /api on to the backend running on its default port.
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true },
  server: { proxy: { '/api': 'http://127.0.0.1:${port}' } },
});
`;
}
