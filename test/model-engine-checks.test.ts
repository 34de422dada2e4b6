import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { modelFromSpec } from '../src/generation/app-model.js';
import { appSpecSchema } from '../src/generation/app-spec.js';
import { architectureOf } from '../src/generation/architecture.js';
import { checkMermaidFlowchart } from '../src/generation/mermaid-flowchart.js';
import { TEMPLATES } from '../src/generation/templates.js';
import {
  architectureProblems,
  modelArchitectureSchema,
  modelRequirementsSchema,
  requirementsProblems,
} from '../src/projects/model-engine/model-stages.js';
import { engineOf } from '../src/projects/project-engine.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/model-engine/${name}`, import.meta.url), 'utf8')) as unknown;

describe('the model engine’s checks', () => {
  it('parses the flowcharts the offline engine draws, and names what is wrong with broken ones', () => {
    const model = modelFromSpec({ name: 'crm', description: '' }, appSpecSchema.parse(TEMPLATES.crm!.spec));
    for (const targets of [['web'], ['api']]) {
      const checked = checkMermaidFlowchart(architectureOf(model, targets).diagram);
      assert.deepEqual(checked.problems, []);
      assert.ok(checked.nodes.has('backend') && checked.nodes.has('database'));
    }
    const labelled = checkMermaidFlowchart(
      'graph TD\n  a -- calls --> b\n  a & b --> c:::hot\n  subgraph s\n  c -.-> d\n  end',
    );
    assert.deepEqual(labelled.problems, []);
    assert.deepEqual([...labelled.nodes].sort(), ['a', 'b', 'c', 'd']);
    assert.match(checkMermaidFlowchart('flowchart\n  a --> b').problems[0]!, /direction/);
    assert.match(checkMermaidFlowchart('flowchart LR\n  a --> b[Backend (Fastify)]').problems[0]!, /double quotes/);
    assert.match(checkMermaidFlowchart('flowchart LR\n  a[Backend --> b').problems[0]!, /not closed/);
    assert.match(checkMermaidFlowchart('flowchart LR\n  a -->').problems[0]!, /line 2: expected a node id/);
    assert.match(checkMermaidFlowchart('flowchart LR\n  subgraph x\n  a --> b').problems[0]!, /subgraph/);
  });

  it('accepts the recorded answers and finds dangling links between features, stories and criteria', async () => {
    const requirements = modelRequirementsSchema.parse(fixture('bakery-requirements.json'));
    assert.deepEqual(await requirementsProblems(requirements, 'bakery'), []);
    const broken = {
      ...requirements,
      user_stories: [...requirements.user_stories, { ...requirements.user_stories[0]!, feature: 'F-x' }],
      acceptance_criteria: [...requirements.acceptance_criteria, { id: 'AC-9', story: 'US-none', criterion: 'x' }],
    };
    const problems = await requirementsProblems(broken, 'bakery');
    assert.ok(problems.includes('user story id US-products-list is used twice'), problems.join('\n'));
    assert.ok(problems.some((problem) => /names feature F-x, which is not listed/.test(problem)));
    assert.ok(problems.some((problem) => /AC-9 names user story US-none/.test(problem)));
  });

  it('checks the architecture against the targets and its diagram', () => {
    const architecture = modelArchitectureSchema.parse(fixture('bakery-architecture.json'));
    assert.deepEqual(architectureProblems(architecture, ['web']), []);
    const forApi = architectureProblems(architecture, ['api']);
    assert.deepEqual(forApi, ['the targets ask for no web frontend: leave the frontend component out']);
    const undrawn = architectureProblems({ ...architecture, diagram: 'flowchart LR\n  frontend --> backend' }, ['web']);
    assert.deepEqual(undrawn, ['the diagram has no node with the id database']);
    const unparsed = architectureProblems({ ...architecture, diagram: 'sequenceDiagram\n  a->>b: hi' }, ['web']);
    assert.match(unparsed[0]!, /^the Mermaid diagram does not parse: line 1/);
  });

  it('picks the engine: model only for a description alone with a model configured, unless one is named', () => {
    const bare = { engine: null, spec: null, openapi: null, template: null };
    assert.equal(engineOf(bare, true), 'model');
    assert.equal(engineOf(bare, false), 'offline');
    assert.equal(engineOf({ ...bare, template: 'todo' }, true), 'offline');
    assert.equal(engineOf({ ...bare, spec: { entities: [] } }, true), 'offline');
    assert.equal(engineOf({ ...bare, engine: 'model' }, false), 'model');
    assert.equal(engineOf({ ...bare, engine: 'offline' }, true), 'offline');
  });
});
