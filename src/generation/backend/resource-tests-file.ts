import { parentParameters, resourceNamed, type AppModel, type Resource } from '../app-model.js';
import type { Operation } from '../app-spec.js';
import { fileText, importLine, withArticle } from './code-text.js';
import { operationOf, type DocumentOperation } from './document-operations.js';
import { creatableResources, fixtureNames, inputCall } from './test-fixtures-file.js';
import { storeNames } from './resource-store-file.js';

// src/test/<resource>.test.ts of the generated app: each operation the document offers, through
// `app.inject` on an in-memory database, and the answers it owes to bad requests.

function inject(method: string, url: string, extra: { headers?: boolean; payload?: string } = {}): string {
  const parts = [`method: '${method}'`, url === 'url' ? 'url' : `url: ${url}`];
  if (extra.headers) parts.push('headers');
  if (extra.payload) parts.push(`payload: ${extra.payload}`);
  return `await context.app.inject({ ${parts.join(', ')} })`;
}

const spread = (call: string) => (call.startsWith('await ') ? `(${call})` : call);

/** `assertProblem(<request>, <status>);` over three lines when one would run past 100 characters. */
function wrapped(line: string): string {
  const match = /^assertProblem\((.*), (\d{3})\);$/.exec(line);
  if (!match || line.length <= 100) return line;
  return `assertProblem(\n  ${match[1]},\n  ${match[2]},\n);`;
}

function test(name: string, lines: readonly string[]): string {
  const body = lines
    .map(wrapped)
    .join('\n')
    .split('\n')
    .map((line) => (line ? `  ${line}` : ''))
    .join('\n');
  return `it('${name}', async () => {\n${body}\n});`;
}

export function resourceTestsFile(
  model: AppModel,
  operations: readonly DocumentOperation[],
  resource: Resource,
): string {
  if (!creatableResources(model).has(resource.name)) return unmakeableTestsFile(resource);
  const offered = (operation: Operation) => operationOf(operations, resource, operation);
  const [list, create, get, update, remove] = (['list', 'create', 'get', 'update', 'delete'] as const).map(offered);
  const secured = [list, create, get, update, remove].filter((operation) => operation?.secured);
  const auth = secured.length > 0;
  const withHeaders = (operation: DocumentOperation | undefined) => Boolean(operation?.secured);
  const names = fixtureNames(resource);
  const store = storeNames(resource);
  const type = store.type;
  const title = resource.title.toLowerCase();
  const aTitle = withArticle(title);
  const plural = resource.pluralTitle.toLowerCase();
  const nested = resource.parent !== undefined;
  const database = 'context.database';
  const creatable = creatableResources(model);
  const fixtures = new Set<string>([names.stored]);
  const support = new Set<string>(['assertProblem', 'assertShaped', 'startTestApp', 'type TestApp']);
  const tests: string[] = [];
  const firstField = resource.fields[0]!;
  const changes = `{ ${firstField.name}: ${names.fields}(nextNumber()).${firstField.name} }`;

  if (create) {
    fixtures.add(names.input);
    const links = resource.manyToMany
      .filter((link) => creatable.has(link.target))
      .map((link) => {
        const target = fixtureNames(resourceNamed(model, link.target)).stored;
        fixtures.add(target);
        return `${link.property}: [(await ${target}(${database})).record.id]`;
      });
    const collection = nested
      ? `${names.collectionUrl}(await ${names.newParent}(${database}))`
      : `'/api/${resource.segment}'`;
    if (nested) fixtures.add(names.collectionUrl).add(names.newParent);
    support.add('assertIncludes');
    tests.push(
      test(`creates ${aTitle} and answers it as stored`, [
        `const collection = ${collection};`,
        links.length > 0
          ? `const input = { ...${spread(inputCall(model, resource, database))}, ${links.join(', ')} };`
          : `const input = ${inputCall(model, resource, database)};`,
        `const response = ${inject('POST', 'collection', { headers: withHeaders(create), payload: 'input' })};`,
        'assert.equal(response.statusCode, 201, response.body);',
        `const ${resource.variable} = response.json<${type}>();`,
        `assertShaped('${type}', ${resource.variable});`,
        `assertIncludes(${resource.variable}, input);`,
        ...(get
          ? [
              `const read = ${inject('GET', `\`\${collection}/\${${resource.variable}.id}\``, { headers: withHeaders(get) })};`,
              `assert.deepEqual(read.json(), ${resource.variable});`,
            ]
          : []),
      ]),
    );
  }
  if (list) {
    const query = resource.pagination ? '?limit=100' : '';
    tests.push(
      test(`lists ${plural} oldest first`, [
        `const first = await ${names.stored}(${database});`,
        `const second = await ${names.stored}(${database}${nested ? ', first.parent' : ''});`,
        `const response = ${inject('GET', query ? `\`\${first.collection}${query}\`` : 'first.collection', { headers: withHeaders(list) })};`,
        'assert.equal(response.statusCode, 200, response.body);',
        `const ${resource.variable}s = response.json<${type}[]>();`,
        `for (const ${resource.variable} of ${resource.variable}s) assertShaped('${type}', ${resource.variable});`,
        `const ids = ${resource.variable}s.map((${resource.variable}) => ${resource.variable}.id);`,
        'assert.ok(ids.includes(first.record.id) && ids.includes(second.record.id));',
        '// oldest first; two made within the same clock tick come in the order of their ids',
        `const order = ${resource.variable}s.map(({ created_at, id }) => \`\${created_at} \${id}\`);`,
        'assert.deepEqual(order, order.toSorted());',
        ...(resource.pagination
          ? [
              `assert.equal(String(response.headers['x-total-count']), String(ids.length));`,
              `const page = ${inject('GET', `\`\${first.collection}?limit=1&offset=1\``, { headers: withHeaders(list) })};`,
              `assert.deepEqual(page.json<${type}[]>().map((${resource.variable}) => ${resource.variable}.id), [ids[1]]);`,
            ]
          : []),
      ]),
    );
  }
  if (get) {
    tests.push(
      test(`reads ${aTitle}`, [
        `const stored = await ${names.stored}(${database});`,
        `const response = ${inject('GET', 'stored.url', { headers: withHeaders(get) })};`,
        'assert.equal(response.statusCode, 200, response.body);',
        'assert.deepEqual(response.json(), stored.record);',
      ]),
    );
  }
  if (update) {
    support.add('assertIncludes').add('nextNumber');
    fixtures.add(names.fields);
    tests.push(
      test(`changes ${aTitle}`, [
        `const stored = await ${names.stored}(${database});`,
        `const changes = ${changes};`,
        `const response = ${inject('PATCH', 'stored.url', { headers: withHeaders(update), payload: 'changes' })};`,
        'assert.equal(response.statusCode, 200, response.body);',
        `const ${resource.variable} = response.json<${type}>();`,
        `assertShaped('${type}', ${resource.variable});`,
        `assertIncludes(${resource.variable}, { ...changes, id: stored.record.id, created_at: stored.record.created_at });`,
        `assert.ok(${resource.variable}.updated_at >= stored.record.updated_at);`,
      ]),
    );
  }
  if (remove) {
    tests.push(
      test(`deletes ${aTitle}`, [
        `const stored = await ${names.stored}(${database});`,
        `const response = ${inject('DELETE', 'stored.url', { headers: withHeaders(remove) })};`,
        'assert.equal(response.statusCode, 204, response.body);',
        get
          ? `assertProblem(${inject('GET', 'stored.url', { headers: withHeaders(get) })}, 404);`
          : `assertProblem(${inject('DELETE', 'stored.url', { headers: withHeaders(remove) })}, 404);`,
      ]),
    );
  }

  const invalid: string[] = [`const stored = await ${names.stored}(${database});`];
  if (create) {
    invalid.push(
      `assertProblem(${inject('POST', 'stored.collection', { headers: withHeaders(create), payload: '{ not_a_property: true }' })}, 400);`,
    );
    if (resource.fields.some((field) => field.required))
      invalid.push(
        `assertProblem(${inject('POST', 'stored.collection', { headers: withHeaders(create), payload: '{}' })}, 400);`,
      );
  }
  const itemOperation = get ?? update ?? remove;
  if (itemOperation) {
    invalid.push(
      `assertProblem(${inject(itemOperation.method, '`${stored.collection}/not-a-uuid`', { headers: withHeaders(itemOperation), payload: itemOperation === update ? changes : undefined })}, 400);`,
    );
    if (itemOperation === update) {
      support.add('nextNumber');
      fixtures.add(names.fields);
    }
  }
  if (update) {
    invalid.push(
      `assertProblem(${inject('PATCH', 'stored.url', { headers: withHeaders(update), payload: '{}' })}, 400);`,
    );
  }
  if (list && resource.pagination) {
    invalid.push(
      `assertProblem(${inject('GET', '`${stored.collection}?limit=0`', { headers: withHeaders(list) })}, 400);`,
    );
  }
  if (invalid.length > 1) tests.push(test(`refuses an invalid request with 400`, invalid));

  const missing: string[] = [
    `const stored = await ${names.stored}(${database});`,
    'const url = `${stored.collection}/${unknownId()}`;',
  ];
  if (get) missing.push(`assertProblem(${inject('GET', 'url', { headers: withHeaders(get) })}, 404);`);
  if (update) {
    missing.push(`assertProblem(${inject('PATCH', 'url', { headers: withHeaders(update), payload: changes })}, 404);`);
    support.add('nextNumber');
    fixtures.add(names.fields);
  }
  if (remove) missing.push(`assertProblem(${inject('DELETE', 'url', { headers: withHeaders(remove) })}, 404);`);
  if (nested && (list || create)) {
    const unknownParent = `{ ${parentParameters(model, resource)
      .map((parameter) => `${parameter}: unknownId()`)
      .join(', ')} }`;
    fixtures.add(names.collectionUrl);
    missing.push(`const elsewhere = ${names.collectionUrl}(${unknownParent});`);
    if (list) missing.push(`assertProblem(${inject('GET', 'elsewhere', { headers: withHeaders(list) })}, 404);`);
    if (create) {
      fixtures.add(names.input);
      missing.push(
        `assertProblem(${inject('POST', 'elsewhere', { headers: withHeaders(create), payload: inputCall(model, resource, database) })}, 404);`,
      );
    }
  }
  if (missing.length > 2) {
    support.add('unknownId');
    tests.push(
      test(
        `answers 404 for an unknown ${title}${nested ? ` or ${resourceNamed(model, resource.parent.target).title.toLowerCase()}` : ''}`,
        missing,
      ),
    );
  }

  if (create && resource.fields.some((field) => field.unique)) {
    fixtures.add(names.input);
    tests.push(
      test('answers 409 when a unique value is taken', [
        `const collection = ${nested ? `${names.collectionUrl}(await ${names.newParent}(${database}))` : `'/api/${resource.segment}'`};`,
        `const input = ${inputCall(model, resource, database)};`,
        `const first = ${inject('POST', 'collection', { headers: withHeaders(create), payload: 'input' })};`,
        'assert.equal(first.statusCode, 201, first.body);',
        `assertProblem(${inject('POST', 'collection', { headers: withHeaders(create), payload: 'input' })}, 409);`,
      ]),
    );
  }
  const reference = resource.belongsTo.find((link) => link !== resource.parent);
  if (create && reference) {
    fixtures.add(names.input);
    support.add('unknownId');
    tests.push(
      test(`answers 409 for ${withArticle(reference.name.replaceAll('_', ' '))} that does not exist`, [
        `const collection = ${nested ? `${names.collectionUrl}(await ${names.newParent}(${database}))` : `'/api/${resource.segment}'`};`,
        `const input = { ...${spread(inputCall(model, resource, database))}, ${reference.column}: unknownId() };`,
        `assertProblem(${inject('POST', 'collection', { headers: withHeaders(create), payload: 'input' })}, 409);`,
      ]),
    );
  }
  const referrer = model.resources.find((other) =>
    other.belongsTo.some(
      (link) => link.target === resource.name && link.required && link !== other.parent && creatable.has(other.name),
    ),
  );
  if (remove && referrer) {
    const link = referrer.belongsTo.find(
      (candidate) => candidate.target === resource.name && candidate.required && candidate !== referrer.parent,
    )!;
    const referrerFixture = fixtureNames(referrer).stored;
    fixtures.add(referrerFixture);
    tests.push(
      test(`answers 409 when deleting ${aTitle} that ${withArticle(referrer.title.toLowerCase())} references`, [
        `const ${referrer.variable} = await ${referrerFixture}(${database});`,
        ...(nested
          ? [
              `const stored = await ${names.stored}(${database});`,
              `const url = \`\${stored.collection}/\${${referrer.variable}.record.${link.column}}\`;`,
            ]
          : [`const url = \`/api/${resource.segment}/\${${referrer.variable}.record.${link.column}}\`;`]),
        `assertProblem(${inject('DELETE', 'url', { headers: withHeaders(remove) })}, 409);`,
      ]),
    );
  }

  if (auth) {
    const lines = [`const stored = await ${names.stored}(${database});`];
    for (const operation of secured) {
      const url = operation!.path.endsWith('/{id}') ? 'stored.url' : 'stored.collection';
      lines.push(`assertProblem(${inject(operation!.method, url)}, 401);`);
    }
    const first = secured[0]!;
    lines.push(
      `assertProblem(await context.app.inject({ method: '${first.method}', url: ${first.path.endsWith('/{id}') ? 'stored.url' : 'stored.collection'}, headers: { authorization: 'Bearer not-a-token' } }), 401);`,
    );
    tests.push(test('answers 401 without a valid token', lines));
  }

  if (auth) support.add('signIn');
  const setup = [
    'let context: TestApp;',
    ...(auth ? ['let headers: Record<string, string>;'] : []),
    '',
    `before(async () => {\n  context = await startTestApp();${auth ? '\n  headers = await signIn(context.app);' : ''}\n});`,
    'after(() => context.close());',
  ];
  return fileText(
    [
      "import assert from 'node:assert/strict';",
      "import { after, before, describe, it } from 'node:test';",
      importLine([`type ${type}`], `../stores/${resource.segment}.js`),
      importLine([...fixtures], './fixtures.js'),
      importLine([...support], './support.js'),
    ].join('\n'),
    `describe('${plural}', () => {\n` +
      [...setup, '', tests.join('\n\n')]
        .join('\n')
        .split('\n')
        .map((line) => (line ? `  ${line}` : ''))
        .join('\n') +
      '\n});',
  );
}

/** A resource whose required references lead back to itself: no first record of it can be stored. */
function unmakeableTestsFile(resource: Resource): string {
  const reason = `the required references of ${withArticle(resource.title.toLowerCase())} lead back to it: no first one can be made`;
  return fileText(
    "import { it } from 'node:test';",
    `it('${resource.pluralTitle.toLowerCase()}', { skip: '${reason}' }, () => {});`,
  );
}
