import { collectionPath, type AppModel } from './app-model.js';

// Stage 2's artifact: the parts of the generated app, the stack they are written in, and a Mermaid picture.

export interface Architecture {
  readonly components: readonly { name: string; kind: string; responsibility: string; depends_on: readonly string[] }[];
  readonly tech_stack: Readonly<Record<string, string>>;
  readonly diagram: string;
}

export function architectureOf(model: AppModel, targets: readonly string[]): Architecture {
  const web = targets.includes('web');
  const components = [
    ...(web
      ? [
          {
            name: 'frontend',
            kind: 'single-page app',
            responsibility: 'list, detail, create, edit and delete views',
            depends_on: ['backend'],
          },
        ]
      : []),
    {
      name: 'backend',
      kind: 'HTTP API',
      responsibility: `serves ${model.resources.map((resource) => collectionPath(model, resource)).join(', ')} as described by openapi.json`,
      depends_on: ['database'],
    },
    {
      name: 'database',
      kind: 'PostgreSQL',
      responsibility: 'stores every resource; an embedded PostgreSQL (PGlite) when DATABASE_URL is unset',
      depends_on: [],
    },
  ];
  const lines = ['flowchart LR'];
  if (web) lines.push('  browser([Browser]) --> frontend[Frontend: React + Vite]', '  frontend -->|HTTP JSON| backend');
  else lines.push('  client([API client]) -->|HTTP JSON| backend');
  lines.push('  backend[Backend: Fastify] -->|SQL| database[(PostgreSQL)]');
  for (const resource of model.resources)
    lines.push(`  backend --- ${resource.variable}Routes["${collectionPath(model, resource)}"]`);
  return {
    components,
    tech_stack: {
      language: 'TypeScript',
      runtime: 'Node.js 20',
      backend: 'Fastify 5',
      database: 'PostgreSQL (node-postgres), PGlite embedded by default',
      validation: 'JSON Schema from the OpenAPI document (Ajv, through Fastify)',
      tests: 'node:test',
      ...(web ? { frontend: 'React 18 + Vite' } : {}),
      ...(model.auth ? { authentication: 'bearer tokens; passwords hashed with scrypt' } : {}),
    },
    diagram: `${lines.join('\n')}\n`,
  };
}
