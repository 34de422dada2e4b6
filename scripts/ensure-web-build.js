// `npm start` runs this first: it builds the web dashboard (web/ → web/dist, `npm run build:web`) when the build
// is missing or older than its sources, so `npm install && npm start` serves the dashboard on a fresh clone.
// Vite is a development dependency: where it is not installed (an install without dev dependencies), the
// server still starts and answers `/` with 503 `web_not_built`, and this says so.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const built = join(web, 'dist', 'index.html');

function newestSource() {
  const files = [join(web, 'index.html'), join(web, 'vite.config.ts'), join(root, 'package-lock.json')];
  for (const entry of readdirSync(join(web, 'src'), { recursive: true })) files.push(join(web, 'src', String(entry)));
  return Math.max(...files.filter((file) => existsSync(file)).map((file) => statSync(file).mtimeMs));
}

if (existsSync(built) && statSync(built).mtimeMs >= newestSource()) process.exit(0);

let vite;
try {
  vite = await import('vite');
} catch {
  console.error(
    'lvlup: the web dashboard is not built and Vite is not installed (npm install without --omit=dev builds it)',
  );
  process.exit(0);
}
console.error('lvlup: building the web dashboard (web/dist)…');
await vite.build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
