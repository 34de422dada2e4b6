import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { asc, eq } from 'drizzle-orm';
import { agents, schedules, tokenUsage } from '../src/db/schema.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer } from './support/fake-llm-server.js';
import { fakeProviderEnvironment } from './support/llm-harness.js';

interface Task {
  id: string;
  status: string;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  attempts: number;
}

const example = async (name: string) =>
  JSON.parse(await readFile(new URL(`../docs/agents/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

const LESSON = {
  title: 'How plants make food',
  introduction: 'Plants make their own food from light, water and air.',
  sections: [
    {
      heading: 'Photosynthesis',
      content: 'Leaves capture sunlight and turn water and carbon dioxide into sugar and oxygen.',
      activity: 'Label the parts of a leaf on the worksheet.',
    },
  ],
  summary: 'Plants use sunlight to make sugar, and give off oxygen.',
  vocabulary: [{ term: 'chlorophyll', definition: 'the green pigment that captures light' }],
  estimated_minutes: 45,
};

const QUIZ = {
  title: 'Fractions check',
  questions: [
    {
      type: 'multiple_choice',
      question: 'Which fraction equals one half?',
      options: ['2/4', '1/3', '3/4', '2/3'],
      answer: '2/4',
      explanation: 'Two quarters are the same amount as one half.',
      difficulty: 'easy',
    },
    {
      type: 'true_false',
      question: '3/6 is greater than 1/2.',
      options: ['True', 'False'],
      answer: 'False',
      explanation: '3/6 simplifies to 1/2, so they are equal.',
      difficulty: 'easy',
    },
  ],
};

const SIMPLE = {
  name: 'echo-agent',
  description: 'answers a greeting',
  instructions: 'Greet the person named in the input.',
  input_schema: {
    type: 'object',
    properties: { name: { type: 'string', minLength: 1 } },
    required: ['name'],
  },
  output_schema: {
    type: 'object',
    properties: { greeting: { type: 'string' } },
    required: ['greeting'],
  },
};

for (const target of databaseTargets()) {
  describe(`Declarative agents on ${target}`, () => {
    let t: TestApp;
    let bare: TestApp;
    let server: FakeLlmServer;
    let runner: string;
    let viewer: string;

    before(async () => {
      server = await startFakeLlmServer();
      const worker = { pollIntervalMs: 100, abortGraceMs: 300, backoff: { baseMs: 50, capMs: 200 } };
      t = await createTestApp(target, {
        environment: {
          ...fakeProviderEnvironment(server),
          LLM_PROVIDER: 'openai',
          LLM_MODEL: 'gpt-4o-mini',
          LLM_CACHE_TTL_SECONDS: '0',
        },
        worker,
      });
      bare = await createTestApp(target, { worker });
      runner = await t.createKey(['agents:read', 'agents:run']);
      viewer = await t.createKey(['agents:read']);
    });
    after(async () => {
      await t.close();
      await bare.close();
      await server.close();
    });

    const create = (app: TestApp, payload: unknown, key?: string) =>
      app.request({ method: 'POST', url: '/api/v1/agents', key: key ?? app.adminKey, payload: payload as object });
    const submit = (app: TestApp, id: string, input: unknown) =>
      app.request({ method: 'POST', url: `/api/v1/agents/${id}/tasks`, key: app.adminKey, payload: { input } });
    const settled = (app: TestApp, id: string) =>
      eventually(
        app,
        async () => {
          const task = (
            await app.request({ method: 'GET', url: `/api/v1/tasks/${id}`, key: app.adminKey })
          ).json<Task>();
          return ['succeeded', 'failed'].includes(task.status) ? task : undefined;
        },
        15_000,
      );

    it('has no agent row or schedule of the declarative type itself', async () => {
      const rows = await t.database.orm.select().from(agents).where(eq(agents.type, 'declarative'));
      assert.deepEqual(rows, []);
      const scheduled = await t.database.orm.select().from(schedules).where(eq(schedules.agentType, 'declarative'));
      assert.deepEqual(scheduled, []);
      const status = await t.request({ method: 'GET', url: '/agents/status', key: viewer });
      assert.equal(status.statusCode, 200, status.body);
      assert.ok(!status.json<{ type: string }[]>().some((agent) => agent.type === 'declarative'));
    });

    it('creates the content agent from docs/agents/content-agent.json and runs it against the model', async () => {
      const definition = await example('content-agent');
      const created = await create(t, definition, runner);
      assert.equal(created.statusCode, 201, created.body);
      const agent = created.json();
      assert.equal(agent.type, 'declarative');
      assert.equal(agent.name, 'content-agent');
      assert.equal(agent.registered, true);
      assert.deepEqual(agent.input_schema, definition.input_schema);
      assert.deepEqual(agent.output_schema, definition.output_schema);
      assert.equal(agent.config.instructions, definition.instructions);
      assert.equal(created.headers.location, `/api/v1/agents/${agent.id}`);
      const fetched = await t.request({ method: 'GET', url: `/api/v1/agents/${agent.id}`, key: viewer });
      assert.deepEqual(fetched.json(), agent);

      server.reset();
      server.reply({ kind: 'json', value: LESSON, inputTokens: 200, outputTokens: 150 });
      const input = { subject: 'Science', grade_level: 5, topic: 'Photosynthesis', duration_minutes: 45 };
      const submitted = await submit(t, agent.id, input);
      assert.equal(submitted.statusCode, 202, submitted.body);
      assert.equal(submitted.json().agent_id, agent.id);
      const task = await settled(t, submitted.json().id);
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      assert.deepEqual(task.result, LESSON);

      const [request] = server.requests;
      assert.ok(request);
      assert.equal(request.body.model, 'gpt-4o-mini');
      const messages = request.body.messages ?? [];
      assert.equal(messages[0]?.role, 'system');
      assert.equal(messages[0]?.content, definition.instructions);
      assert.match(JSON.stringify(messages[1]?.content), /Photosynthesis/);

      // Usage is accounted to the declarative agent by name, with the task.
      const usage = await t.database.orm
        .select()
        .from(tokenUsage)
        .where(eq(tokenUsage.taskId, task.id))
        .orderBy(asc(tokenUsage.id));
      assert.equal(usage.length, 1);
      assert.equal(usage[0]!.agentType, 'content-agent');
      assert.equal(usage[0]!.inputTokens, 200);

      const listed = await t.request({ method: 'GET', url: `/api/v1/agents/${agent.id}/tasks`, key: viewer });
      assert.deepEqual(
        listed.json<Task[]>().map((entry) => entry.id),
        [task.id],
      );
    });

    it('creates the quiz agent from docs/agents/quiz-agent.json and runs it', async () => {
      const created = await create(t, await example('quiz-agent'));
      assert.equal(created.statusCode, 201, created.body);
      server.reset();
      server.reply({ kind: 'json', value: QUIZ });
      const submitted = await submit(t, created.json().id, {
        subject: 'Mathematics',
        grade_level: 4,
        topic: 'Equivalent fractions',
        question_count: 2,
        difficulty: 'easy',
        question_types: ['multiple_choice', 'true_false'],
      });
      assert.equal(submitted.statusCode, 202, submitted.body);
      const task = await settled(t, submitted.json().id);
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      assert.deepEqual(task.result, QUIZ);
    });

    it('refuses input that does not match the input schema, naming the field', async () => {
      const [agent] = await t.database.orm.select().from(agents).where(eq(agents.name, 'content-agent'));
      const response = await submit(t, agent!.id, { subject: 'Science', grade_level: 13, topic: 'Stars', extra: 1 });
      assert.equal(response.statusCode, 400, response.body);
      const fields = response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field);
      assert.ok(fields.includes('body.input.grade_level'), fields.join());
      assert.ok(fields.includes('body.input.extra'), fields.join());
      const missing = await submit(t, agent!.id, { subject: 'Science' });
      assert.equal(missing.statusCode, 400);
      assert.ok(
        missing.json<{ errors: { field: string }[] }>().errors.some((error) => error.field === 'body.input.topic'),
      );
    });

    it('refuses a name in use or of a registered agent type with 409', async () => {
      const again = await create(t, await example('content-agent'));
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json().code, 'agent_name_taken');
      const builtIn = await create(t, { ...SIMPLE, name: 'imperium' });
      assert.equal(builtIn.statusCode, 409);
      const template = await create(t, { ...SIMPLE, name: 'declarative' });
      assert.equal(template.statusCode, 409);
    });

    it('refuses schemas outside the subset with 400 and the field', async () => {
      const cases: [unknown, string][] = [
        [{ ...SIMPLE, input_schema: { type: 'string' } }, 'body.input_schema.type'],
        [
          { ...SIMPLE, input_schema: { type: 'object', properties: { name: { type: 'string', pattern: 'a+' } } } },
          'body.input_schema.properties.name.pattern',
        ],
        [
          { ...SIMPLE, output_schema: { type: 'object', properties: {}, required: ['missing'] } },
          'body.output_schema.required',
        ],
        [
          { ...SIMPLE, output_schema: { type: 'object', properties: { list: { type: 'array' } } } },
          'body.output_schema.properties.list.items',
        ],
        [{ ...SIMPLE, input_schema: { type: 'object', $ref: '#/x' } }, 'body.input_schema.$ref'],
        [{ ...SIMPLE, name: 'Not Valid' }, 'body.name'],
        [{ ...SIMPLE, instructions: '' }, 'body.instructions'],
      ];
      for (const [payload, field] of cases) {
        const response = await create(t, payload);
        assert.equal(response.statusCode, 400, response.body);
        const fields = response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field);
        assert.ok(fields.includes(field), `${field} not in ${fields.join()}`);
      }
      const viewerCreate = await create(t, SIMPLE, viewer);
      assert.equal(viewerCreate.statusCode, 403);
    });

    it('changes a declarative agent with PATCH (the model too), and refuses built-ins', async () => {
      const created = await create(t, SIMPLE);
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const patched = await t.request({
        method: 'PATCH',
        url: `/api/v1/agents/${id}`,
        key: runner,
        payload: {
          instructions: 'Greet warmly.',
          model: 'gpt-4.1-nano',
          input_schema: {
            type: 'object',
            properties: { name: { type: 'string' }, language: { type: 'string', enum: ['en', 'fr'] } },
            required: ['name', 'language'],
          },
        },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().config.instructions, 'Greet warmly.');
      assert.equal(patched.json().config.model, 'gpt-4.1-nano');
      assert.deepEqual(patched.json().input_schema.required, ['name', 'language']);
      assert.deepEqual(patched.json().output_schema, SIMPLE.output_schema);

      const refused = await submit(t, id, { name: 'Ada' });
      assert.equal(refused.statusCode, 400);
      server.reset();
      server.reply({ kind: 'json', value: { greeting: 'Bonjour Ada' } });
      const submitted = await submit(t, id, { name: 'Ada', language: 'fr' });
      assert.equal(submitted.statusCode, 202, submitted.body);
      const task = await settled(t, submitted.json().id);
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      assert.deepEqual(task.result, { greeting: 'Bonjour Ada' });
      assert.equal(server.requests[0]?.body.model, 'gpt-4.1-nano');

      const [imperium] = await t.database.orm.select().from(agents).where(eq(agents.name, 'imperium'));
      const builtIn = await t.request({
        method: 'PATCH',
        url: `/api/v1/agents/${imperium!.id}`,
        key: runner,
        payload: { instructions: 'x' },
      });
      assert.equal(builtIn.statusCode, 409);
      assert.equal(builtIn.json().code, 'agent_not_declarative');
    });

    it('fails a task whose answer never matches the output schema, without retrying', async () => {
      const [agent] = await t.database.orm.select().from(agents).where(eq(agents.name, 'quiz-agent'));
      server.reset();
      server.reply({ kind: 'json', value: { title: 'no questions' } }, { kind: 'json', value: { questions: 3 } });
      const submitted = await submit(t, agent!.id, { subject: 'Art', grade_level: 2, topic: 'Colours' });
      const task = await settled(t, submitted.json().id);
      assert.equal(task.status, 'failed');
      assert.equal(task.error?.code, 'llm_invalid_output');
      assert.equal(task.attempts, 1);
    });

    it('deletes a declarative agent, never a built-in one', async () => {
      const created = await create(t, { ...SIMPLE, name: 'short-lived' });
      const id = created.json().id as string;
      const deleted = await t.request({ method: 'DELETE', url: `/api/v1/agents/${id}`, key: runner });
      assert.equal(deleted.statusCode, 204, deleted.body);
      const gone = await t.request({ method: 'GET', url: `/api/v1/agents/${id}`, key: viewer });
      assert.equal(gone.statusCode, 404);
      const [guardian] = await t.database.orm.select().from(agents).where(eq(agents.name, 'guardian'));
      const refused = await t.request({ method: 'DELETE', url: `/api/v1/agents/${guardian!.id}`, key: runner });
      assert.equal(refused.statusCode, 409);
    });

    it('fails the task with llm_not_configured when no provider is configured', async () => {
      const created = await create(bare, await example('content-agent'));
      assert.equal(created.statusCode, 201, created.body);
      const submitted = await submit(bare, created.json().id, { subject: 'Science', grade_level: 5, topic: 'Rain' });
      assert.equal(submitted.statusCode, 202, submitted.body);
      const task = await settled(bare, submitted.json().id);
      assert.equal(task.status, 'failed');
      assert.equal(task.error?.code, 'llm_not_configured');
      assert.equal(task.attempts, 1);
    });
  });
}
