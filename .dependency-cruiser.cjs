/**
 * The layers of src/, enforced in `npm run lint` (docs/architecture.md draws them):
 *
 *   server, cli          HTTP routes and plugins, the command line: composition, nothing below imports them
 *   agents               agent definitions: input schema, schedule, a call into their domain module
 *   domain folders       accounts, repositories, proposals, sandbox, guardian, imperium, learning, custody,
 *                        tasks, schedules, llm, analytics, audit, events, compute, github: services and stores
 *   platform             db, git, network, config, observability: adapters for the outside world
 *   analysis, generation pure engines (Guardian analyzer, Imperium engine, languages, diffing; the app
 *                        generator's offline engine): leaves
 *
 * A folder may import its own layer and the ones below it, never one above; and no two folders may import
 * each other, directly or around a loop.
 */
const DOMAIN =
  '^src/(accounts|repositories|proposals|inbox|sandbox|guardian|imperium|learning|custody|tasks|schedules|llm|analytics|audit|events|compute|github)/';
const PLATFORM = '^src/(db|git|network|config|observability)/|^src/(redis|version)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycles',
      comment:
        'Files that import each other around a loop (scripts/check-layers.js also refuses loops between folders).',
      severity: 'error',
      from: { path: '^src/' },
      // a loop closed only by `import type` has no effect when the code runs
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'analysis-is-a-leaf',
      comment: 'src/analysis/ holds pure engines: it imports nothing of lvlup outside itself.',
      severity: 'error',
      from: { path: '^src/analysis/' },
      to: { path: '^src/', pathNot: '^src/analysis/' },
    },
    {
      name: 'generation-is-a-leaf',
      comment: 'src/generation/ holds the app generator: pure functions of a model, importing nothing else of lvlup.',
      severity: 'error',
      from: { path: '^src/generation/' },
      to: { path: '^src/', pathNot: '^src/generation/' },
    },
    {
      name: 'platform-is-below-the-domain',
      comment: 'Adapters (db, git, network, config, observability) know nothing of the domain, agents or server.',
      severity: 'error',
      from: { path: PLATFORM },
      to: { path: '^src/', pathNot: `${PLATFORM}|^src/(analysis|generation)/` },
    },
    {
      name: 'domain-is-below-the-agents',
      comment: 'Domain modules do not import agent definitions, the server or the command line.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: '^src/(agents|server|cli)/' },
    },
    {
      name: 'agents-are-below-the-server',
      comment: 'Agent definitions do not import the server or the command line.',
      severity: 'error',
      from: { path: '^src/agents/' },
      to: { path: '^src/(server|cli)/' },
    },
    {
      name: 'nothing-imports-the-cli',
      comment: 'The command line is the top: only bin/ starts it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|^src/.*/test-support/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
