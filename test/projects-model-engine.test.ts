import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { BUILT_IN_AGENTS } from '../src/agents/built-in.js';
import { DEFAULT_STAGE_SETTINGS, pipelineAgents } from '../src/agents/pipeline/definition.js';
import type { DomainEvent } from '../src/events/bus.js';
import { createAgentRegistry } from '../src/tasks/agent-registry.js';
import { defineAgent } from '../src/tasks/agent-definition.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest } from './support/fake-llm-server.js';
import { fakeProviderEnvironment, manualClock } from './support/llm-harness.js';

// The model engine against the fake provider server (OpenAI's wire format), with recorded-style answers:
// a description becomes a model-written spec, each answer is checked, rejected answers are repaired with
// their errors fed back a bounded number of times, and a run stops at its token or wall-clock budget.

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/model-engine/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const requirementsAnswer = fixture('bakery-requirements.json');
const architectureAnswer = fixture('bakery-architecture.json');
/** schema-valid, but a user story names a feature that is not listed: only lvlup's own check rejects it */
const danglingStory = {
  ...requirementsAnswer,
  user_stories: [
    ...(requirementsAnswer.user_stories as object[]),
    { id: 'US-extra', feature: 'F-nope', as_a: 'baker', i_want: 'to bake', so_that: 'bread exists' },
  ],
  acceptance_criteria: [
    ...(requirementsAnswer.acceptance_criteria as object[]),
    { id: 'AC-3', story: 'US-extra', criterion: 'Bread exists.' },
  ],
};
/** fails the spec's own schema: `id` is given to every entity */
const reservedField = JSON.parse(JSON.stringify(requirementsAnswer)) as {
  spec: { entities: { fields: object[] }[] };
};
reservedField.spec.entities[0]!.fields.push({ name: 'id', type: 'integer' });

interface ProjectBody {
  id: string;
  status: string;
  engine: string | null;
  failure: { code: string; message: string; stage?: string } | null;
  token_usage: { run: { calls: number; total_tokens: number }; all_runs: { total_tokens: number } };
}
interface StageBody {
  stage: string;
  status: string;
  task_id: string | null;
  reason: string | null;
}

const DESCRIPTION = 'A bakery: its products with prices, and orders that signed-in customers place for pick-up.';

/** What the last message of a request to the provider said. */
const lastMessage = (request: RecordedRequest) => JSON.stringify(request.body.messages!.at(-1)!.content);

for (const target of databaseTargets()) {
  describe(`the model engine (${target})`, () => {
    let t: TestApp;
    let server: FakeLlmServer;
    let workspace: string;
    let key: string;
    const clock = manualClock(new Date());

    before(async () => {
      server = await startFakeLlmServer();
      workspace = mkdtempSync(path.join(tmpdir(), 'lvlup-model-engine-'));
      // The stages run for real but for the build, which these tests do not need (the offline suites build
      // generated apps): its agent holds its task until the run is cancelled.
      const agents = pipelineAgents({ ...DEFAULT_STAGE_SETTINGS, now: clock.now }).map((agent) =>
        agent.type === 'pipeline-build'
          ? defineAgent({
              ...agent,
              run: async (context) => {
                if (!context.signal.aborted) {
                  await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
                }
                return { held: true };
              },
            })
          : agent,
      );
      t = await createTestApp(target, {
        environment: {
          ...fakeProviderEnvironment(server),
          LLM_PROVIDER: 'openai',
          LLM_CACHE_TTL_SECONDS: '0',
          LVLUP_DATA_DIR: path.join(workspace, 'data'),
        },
        agents: createAgentRegistry([
          ...BUILT_IN_AGENTS.filter((agent) => !agent.type.startsWith('pipeline-')),
          ...agents,
        ]),
        now: clock.now,
        worker: { pollIntervalMs: 50 },
      });
      key = await t.createKey(['projects:read', 'projects:write', 'agents:read']);
    });
    after(async () => {
      await t.close();
      await server.close();
      rmSync(workspace, { recursive: true, force: true });
    });
    beforeEach(() => server.reset());

    const create = async (payload: Record<string, unknown>) => {
      const created = await t.request({ method: 'POST', url: '/api/v1/projects', key, payload });
      assert.equal(created.statusCode, 201, created.body);
      return created.json<ProjectBody>();
    };
    const get = async <T>(url: string) => (await t.request({ method: 'GET', url, key })).json<T>();

    /** Starts the project and resolves with the first of its events that `matches` (subscribed before). */
    const startUntil = async (projectId: string, matches: (event: DomainEvent) => boolean) => {
      const seen = new Promise<DomainEvent>((resolve) => {
        const stop = t.app.services.events.subscribe((event) => {
          if (event.topic === `projects/${projectId}` && matches(event)) {
            stop();
            resolve(event);
          }
        });
      });
      const started = await t.request({ method: 'POST', url: `/api/v1/projects/${projectId}/start`, key });
      assert.equal(started.statusCode, 202, started.body);
      return seen;
    };
    const ended = (event: DomainEvent) => event.type === 'project.failed' || event.type === 'project.succeeded';
    const designed = (event: DomainEvent) =>
      ended(event) || (event.type === 'project.stage_succeeded' && event.data.stage === 'infrastructure');

    /** Cancels the run (held at the build, or wherever it is) and waits until no task of it runs. */
    const cancelAndSettle = async (projectId: string) => {
      const cancelled = await t.request({ method: 'POST', url: `/api/v1/projects/${projectId}/cancel`, key });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      await eventually(t, async () => {
        const stages = await get<StageBody[]>(`/api/v1/projects/${projectId}/stages`);
        for (const stage of stages.filter((candidate) => candidate.task_id)) {
          const task = await get<{ status: string }>(`/api/v1/tasks/${stage.task_id}`);
          if (!['succeeded', 'failed', 'cancelled'].includes(task.status)) return undefined;
        }
        return true;
      });
    };

    const taskLog = async (taskId: string) =>
      (await get<{ items: { message: string }[] }>(`/api/v1/tasks/${taskId}/logs`)).items.map((line) => line.message);

    it('generates from a description: the model writes the spec and architecture, later stages generate from that spec', async () => {
      const project = await create({ name: 'bakery', description: DESCRIPTION });
      assert.equal(project.engine, null, 'no engine asked for: chosen when the stages run');
      server.reply(
        { kind: 'json', value: requirementsAnswer, inputTokens: 1200, outputTokens: 800 },
        { kind: 'json', value: architectureAnswer, inputTokens: 1500, outputTokens: 400 },
      );
      const event = await startUntil(project.id, designed);
      assert.equal(event.type, 'project.stage_succeeded', JSON.stringify(event.data));

      const stages = await get<StageBody[]>(`/api/v1/projects/${project.id}/stages`);
      assert.deepEqual(
        stages.slice(0, 7).map((stage) => [stage.stage, stage.status]),
        [
          ['requirements', 'succeeded'],
          ['architecture', 'succeeded'],
          ['api_design', 'succeeded'],
          ['database_design', 'succeeded'],
          ['backend', 'succeeded'],
          ['frontend', 'succeeded'],
          ['infrastructure', 'succeeded'],
        ],
      );
      // Two calls: the requirements from the description, the architecture from the requirements and spec.
      assert.equal(server.requests.length, 2);
      const [first, second] = server.requests as [RecordedRequest, RecordedRequest];
      const format = first.body.response_format as { type: string; json_schema: { strict: boolean; name: string } };
      assert.equal(format.type, 'json_schema');
      assert.equal(format.json_schema.name, 'requirements');
      // The spec has optional properties, which OpenAI's strict mode would refuse: the schema is guidance.
      assert.equal(format.json_schema.strict, false);
      assert.match(JSON.stringify(first.body.messages), /A bakery: its products with prices/);
      assert.match(JSON.stringify(second.body.messages), /requirements\.json/);
      assert.match(JSON.stringify(second.body.messages), /US-orders-create/);
      assert.match(JSON.stringify(second.body.messages), /customer_email/);

      // The spec the model wrote is committed and stored, and the API and code were generated from it.
      const folder = path.join(workspace, 'data', 'projects', project.id);
      assert.deepEqual(
        JSON.parse(readFileSync(path.join(folder, 'app-spec.json'), 'utf8')).entities.map(
          (entity: { name: string }) => entity.name,
        ),
        ['Product', 'Order'],
      );
      const openapi = JSON.parse(readFileSync(path.join(folder, 'openapi.json'), 'utf8')) as { paths: object };
      assert.ok('/products' in openapi.paths && '/orders/{id}' in openapi.paths, Object.keys(openapi.paths).join());
      assert.match(readFileSync(path.join(folder, 'db/migrations/0001_init.sql'), 'utf8'), /customer_email/);
      assert.match(readFileSync(path.join(folder, 'docs/architecture.mmd'), 'utf8'), /^flowchart LR/);
      const architecture = JSON.parse(readFileSync(path.join(folder, 'docs/architecture.json'), 'utf8')) as {
        tech_stack: { backend: string };
      };
      assert.equal(architecture.tech_stack.backend, 'Fastify 5', "the tech stack is the generator's");
      const artifacts = await get<{ kind: string; name: string }[]>(`/api/v1/projects/${project.id}/artifacts`);
      assert.ok(artifacts.some((artifact) => artifact.kind === 'spec' && artifact.name === 'app-spec.json'));

      // Each stage says which engine wrote what.
      const byStage = new Map(stages.map((stage) => [stage.stage, stage.task_id!]));
      assert.ok((await taskLog(byStage.get('requirements')!)).some((line) => /engine: model/.test(line)));
      for (const stage of ['api_design', 'backend', 'infrastructure']) {
        const lines = await taskLog(byStage.get(stage)!);
        assert.ok(
          lines.includes(`${stage}: engine: offline from model-written spec`),
          `${stage}: ${lines.join(' | ')}`,
        );
      }

      // The calls are accounted to the stages' agents and shown on the project.
      const usage = await get<{ by_agent: { agent_type: string; calls: number; total_tokens: number }[] }>(
        '/api/v1/token-usage?group_by=agent',
      );
      const requirementsUsage = usage.by_agent.find((row) => row.agent_type === 'pipeline-requirements');
      assert.equal(requirementsUsage?.total_tokens, 2000);
      const shown = await get<ProjectBody>(`/api/v1/projects/${project.id}`);
      assert.equal(shown.token_usage.run.calls, 2);
      assert.equal(shown.token_usage.run.total_tokens, 3900);
      assert.equal(shown.token_usage.all_runs.total_tokens, 3900);
      await cancelAndSettle(project.id);
    });

    it('repairs a rejected answer by sending back what was wrong: the schema’s verdict, then its own checks', async () => {
      const project = await create({ name: 'bakery repaired', description: DESCRIPTION, engine: 'model' });
      server.reply(
        { kind: 'json', value: reservedField },
        { kind: 'json', value: danglingStory },
        { kind: 'json', value: requirementsAnswer },
        { kind: 'json', value: architectureAnswer },
      );
      const requirementsKept = (event: DomainEvent) =>
        ended(event) || (event.type === 'project.stage_succeeded' && event.data.stage === 'requirements');
      const event = await startUntil(project.id, requirementsKept);
      assert.equal(event.type, 'project.stage_succeeded', JSON.stringify(event.data));
      await cancelAndSettle(project.id);
      assert.ok(server.requests.length >= 3);
      const [, schemaRepair, checkRepair] = server.requests as [RecordedRequest, RecordedRequest, RecordedRequest];
      // The language model layer's repair carries the schema's message about the reserved field ...
      assert.match(lastMessage(schemaRepair), /does not match the required JSON schema/);
      assert.match(lastMessage(schemaRepair), /id is given to every entity/);
      // ... and the engine's own repair what its checks found, after the rejected answer itself.
      assert.match(lastMessage(checkRepair), /checked and rejected/);
      assert.match(lastMessage(checkRepair), /user story US-extra names feature F-nope, which is not listed/);
      assert.match(JSON.stringify(checkRepair.body.messages!.at(-2)), /F-nope/);
      const stages = await get<StageBody[]>(`/api/v1/projects/${project.id}/stages`);
      const log = await taskLog(stages[0]!.task_id!);
      assert.ok(
        log.some((line) => /attempt 1 of 3: the answer was rejected/.test(line)),
        log.join(' | '),
      );
    });

    it('gives up after the bounded attempts with model_output_rejected, never looping', async () => {
      const project = await create({ name: 'bakery rejected', description: DESCRIPTION });
      server.reply(
        { kind: 'json', value: danglingStory },
        { kind: 'json', value: danglingStory },
        { kind: 'json', value: danglingStory },
        { kind: 'json', value: requirementsAnswer },
      );
      const event = await startUntil(project.id, ended);
      assert.equal(event.type, 'project.failed');
      assert.equal(server.requests.length, 3, 'three answers, then it stopped');
      assert.equal(server.pending(), 1, 'the fourth answer was never asked for');
      const stored = await get<ProjectBody>(`/api/v1/projects/${project.id}`);
      assert.equal(stored.failure?.code, 'model_output_rejected');
      assert.equal(stored.failure?.stage, 'requirements');
      assert.match(stored.failure?.message ?? '', /rejected 3 times/);
      assert.match(stored.failure?.message ?? '', /F-nope/);
      assert.equal(stored.token_usage.run.calls, 3);
    });

    it('stops at the token budget with token_budget_exceeded before sending what it cannot afford', async () => {
      const project = await create({ name: 'bakery tokens', description: DESCRIPTION, token_budget: 20_000 });
      server.reply(
        { kind: 'json', value: danglingStory, inputTokens: 15_000, outputTokens: 6_000 },
        { kind: 'json', value: requirementsAnswer },
      );
      const event = await startUntil(project.id, ended);
      assert.equal(event.type, 'project.failed');
      assert.equal(server.requests.length, 1);
      const stored = await get<ProjectBody>(`/api/v1/projects/${project.id}`);
      assert.equal(stored.failure?.code, 'token_budget_exceeded');
      assert.match(stored.failure?.message ?? '', /spent 21000 of its 20000 tokens/);
      assert.equal(stored.token_usage.run.total_tokens, 21_000);
      // The first call's output was bounded by what the budget had left.
      const limit = server.requests[0]!.body.max_completion_tokens ?? server.requests[0]!.body.max_tokens;
      assert.ok(typeof limit === 'number' && limit < 20_000, `max output tokens ${String(limit)}`);
    });

    it('stops at the wall-clock budget with time_budget_exceeded, on a clock the test moves', async () => {
      const project = await create({ name: 'bakery slow', description: DESCRIPTION, time_budget_seconds: 60 });
      // Each answer takes 61 s on the run's clock.
      const stop = server.arrivals(() => clock.advance(61_000));
      try {
        server.reply({ kind: 'json', value: danglingStory }, { kind: 'json', value: requirementsAnswer });
        const event = await startUntil(project.id, ended);
        assert.equal(event.type, 'project.failed');
      } finally {
        stop();
      }
      assert.equal(server.requests.length, 1);
      const stored = await get<ProjectBody>(`/api/v1/projects/${project.id}`);
      assert.equal(stored.failure?.code, 'time_budget_exceeded');
      assert.match(stored.failure?.message ?? '', /past its wall-clock budget of 60 s/);
    });

    it('refuses engine model for a project that brings its own spec, template or document', async () => {
      const refused = await t.request({
        method: 'POST',
        url: '/api/v1/projects',
        key,
        payload: { name: 'both', description: DESCRIPTION, template: 'todo', engine: 'model' },
      });
      assert.equal(refused.statusCode, 422, refused.body);
      assert.deepEqual(
        refused.json<{ errors: { pointer: string }[] }>().errors.map((error) => error.pointer),
        ['/engine'],
      );
    });
  });
}
