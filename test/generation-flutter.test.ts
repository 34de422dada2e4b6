import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { modelFromSpec, type AppModel } from '../src/generation/app-model.js';
import { appSpecSchema } from '../src/generation/app-spec.js';
import { flutterClientOf } from '../src/generation/flutter/flutter-client.js';
import { openApiDocumentOf } from '../src/generation/openapi-document.js';
import { smokePlanOf } from '../src/generation/smoke/smoke-plan.js';
import { frontendStage } from '../src/projects/stage-work/code-stages.js';
import type { Project } from '../src/projects/project-store.js';

// The Flutter client (`flutter` target) and the browser smoke plan: pure functions of the model and the
// OpenAPI document. No Flutter toolchain is on CI, so the Dart is checked against the document here, and
// the build stage reports its Flutter step skipped (test/projects.test.ts).

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/app-specs/${name}.json`, import.meta.url), 'utf8')) as {
    name: string;
    description: string;
    spec: unknown;
  };
const modelOf = (project: { name: string; description: string; spec: unknown }): AppModel =>
  modelFromSpec(project, appSpecSchema.parse(project.spec));

interface Schema {
  type?: string;
  properties?: Record<string, unknown>;
  required?: string[];
}
interface Document {
  paths: Record<string, Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>>;
  components: { schemas: Record<string, Schema> };
}

describe('the flutter target', () => {
  for (const name of ['blog', 'inventory']) {
    it(`writes a Flutter client of the ${name} API that matches its OpenAPI document`, () => {
      const model = modelOf(fixture(name));
      const document = openApiDocumentOf(model) as unknown as Document;
      const files = flutterClientOf(model, document as unknown as Record<string, unknown>);
      assert.deepEqual(
        flutterClientOf(model, openApiDocumentOf(model)),
        files,
        'the same model and document give the same files',
      );
      assert.ok(Object.keys(files).every((path) => path.startsWith('flutter/')));
      assert.match(files['flutter/pubspec.yaml']!, /^name: [a-z_]+_client$/m);
      assert.match(files['flutter/pubspec.yaml']!, /^ {2}http: \d+\.\d+\.\d+$/m, 'dependencies pinned exactly');
      const api = files['flutter/lib/api.dart']!;

      // a method per operationId, its path parameters as required named parameters
      for (const [path, item] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          const signature = new RegExp(`^ {2}Future<[^>]+>+ ${operation.operationId}\\(([^)]*)\\) async \\{$`, 'm');
          const found = signature.exec(api);
          assert.ok(found, `${operation.operationId} has a method`);
          for (const parameter of (operation.parameters ?? []).filter((candidate) => candidate.in === 'path')) {
            const dart = parameter.name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
            assert.match(found[1]!, new RegExp(`required String ${dart}\\b`), `${operation.operationId} ${dart}`);
          }
          const dartPath = path.replace(
            /\{([^}]+)\}/g,
            (_, parameter: string) =>
              `\${Uri.encodeComponent(${parameter.replace(/_([a-z])/g, (__, letter: string) => letter.toUpperCase())})}`,
          );
          assert.ok(
            api.includes(`_send('${method.toUpperCase()}', '${dartPath}'`),
            `${operation.operationId} calls ${method.toUpperCase()} ${path}`,
          );
        }
      }
      // a class per object schema, reading and writing each property by its name in the document
      for (const [schemaName, schema] of Object.entries(document.components.schemas)) {
        if (schema.type !== 'object') continue;
        assert.match(api, new RegExp(`^class ${schemaName} \\{$`, 'm'), schemaName);
        for (const property of Object.keys(schema.properties ?? {})) {
          assert.ok(api.includes(`json['${property}']`), `${schemaName}.fromJson reads ${property}`);
          assert.ok(api.includes(`'${property}':`), `${schemaName}.toJson writes ${property}`);
        }
      }
      // a screen file per resource, with the list, detail and create screens its operations allow
      for (const resource of model.resources) {
        const screens = files[`flutter/lib/screens/${resource.segment.replaceAll('-', '_')}.dart`]!;
        assert.ok(screens, resource.name);
        for (const [operation, screen] of [
          ['list', 'ListScreen'],
          ['get', 'DetailScreen'],
          ['create', 'CreateScreen'],
        ] as const) {
          assert.equal(
            screens.includes(`class ${resource.name}${screen} extends StatefulWidget`),
            resource.operations.includes(operation),
            `${resource.name}${screen}`,
          );
        }
        if (resource.operations.includes('create')) assert.match(screens, new RegExp(`body: ${resource.name}Input\\(`));
      }
      assert.equal('flutter/lib/sign_in.dart' in files, model.auth);
    });
  }

  it('writes the client in the frontend stage only when the target asks for it', async () => {
    const blog = fixture('blog');
    const project = (targets: string[]) =>
      ({
        name: blog.name,
        description: blog.description,
        spec: blog.spec,
        template: null,
        targets,
      }) as unknown as Project;
    const log = async () => undefined;
    const stage = (targets: string[]) =>
      frontendStage({ project: project(targets), log } as unknown as Parameters<typeof frontendStage>[0]);
    const apiOnly = await stage(['api']);
    assert.match(apiOnly.skipped ?? '', /no web frontend/);
    const withFlutter = await stage(['api', 'flutter']);
    assert.equal(withFlutter.skipped, undefined);
    assert.ok(withFlutter.files['flutter/lib/api.dart']);
    assert.equal(
      Object.keys(withFlutter.files).some((path) => path.startsWith('web/')),
      false,
    );
    const web = await stage(['web']);
    assert.equal(
      Object.keys(web.files).some((path) => path.startsWith('flutter/')),
      false,
    );
  });
});

describe('the browser smoke plan', () => {
  it('signs in, makes linked items first and fills each form with values its checks accept', () => {
    const model = modelOf(fixture('blog'));
    const plan = smokePlanOf(model);
    assert.equal(plan.signIn, true);
    const order = plan.resources.map((resource) => resource.resource);
    assert.ok(order.indexOf('Author') < order.indexOf('Post'), 'a post needs its author first');
    assert.ok(order.indexOf('Post') < order.indexOf('Comment'), 'a comment nests under a post');
    const comment = plan.resources.find((resource) => resource.resource === 'Comment')!;
    assert.equal(comment.route, '/posts/:post_id/comments');
    assert.deepEqual(comment.parents, [{ column: 'post_id', resource: 'Post' }]);
    assert.equal(comment.apiPath, '/api/posts/{post_id}/comments');
    assert.deepEqual(
      comment.create?.inputs.find((input) => input.testId === 'input-rating'),
      { testId: 'input-rating', action: 'fill', value: '2' },
      'an integer within minimum 1 and maximum 5',
    );
    const post = plan.resources.find((resource) => resource.resource === 'Post')!;
    assert.deepEqual(
      post.create?.inputs.find((input) => input.testId === 'input-author_id'),
      {
        testId: 'input-author_id',
        action: 'reference',
        resource: 'Author',
        control: 'select',
      },
    );
    assert.deepEqual(
      post.create?.inputs.find((input) => input.testId === 'input-status'),
      {
        testId: 'input-status',
        action: 'select',
        value: 'draft',
      },
    );
    assert.deepEqual(smokePlanOf(model), plan);
  });

  it('only lists a resource whose item cannot be made, saying why', () => {
    const model = modelOf({
      name: 'x',
      description: '',
      spec: {
        entities: [
          { name: 'Owner', operations: ['list'], fields: [{ name: 'name', type: 'string', required: true }] },
          {
            name: 'Pet',
            fields: [{ name: 'name', type: 'string', required: true, min_length: 30, max_length: 40 }],
            relations: [{ name: 'owner', kind: 'belongs_to', target: 'Owner', required: true }],
          },
        ],
      },
    });
    const [owner, pet] = smokePlanOf(model).resources;
    assert.equal(owner?.create, undefined);
    assert.equal(owner?.createSkipped, 'it has no create operation');
    assert.equal(pet?.createSkipped, 'it needs a Owner, and none could be made');
    assert.equal(pet?.listTestId, 'pets-list');
  });
});
