import { collectionPath, resourceNamed, type AppModel, type ModelField, type Resource } from '../app-model.js';
import { fileText, importLine, stringLiteral, withArticle } from './code-text.js';
import { storeNames } from './resource-store-file.js';

// src/test/fixtures.ts of the generated app: sample values for each resource and records stored straight
// through the stores, with whatever they reference stored first, so each test makes what it needs.

/** Resources a first record can be made of: none of their required references lead back to themselves. */
export function creatableResources(model: AppModel): Set<string> {
  const creatable = new Set<string>();
  const visit = (resource: Resource, path: ReadonlySet<string>): boolean => {
    if (creatable.has(resource.name)) return true;
    if (path.has(resource.name)) return false;
    const next = new Set([...path, resource.name]);
    const ok = resource.belongsTo
      .filter((link) => link.required)
      .every((link) => visit(resourceNamed(model, link.target), next));
    if (ok) creatable.add(resource.name);
    return ok;
  };
  for (const resource of model.resources) visit(resource, new Set());
  return creatable;
}

function numericRange(field: ModelField, integer: boolean): [number, number] {
  const ceiling = integer ? 2147483647 : Number.MAX_SAFE_INTEGER;
  const minimum = field.minimum ?? (field.maximum !== undefined ? Math.min(0, field.maximum) : 0);
  const maximum = field.maximum ?? Math.min(minimum + 1_000_000, ceiling);
  return [minimum, maximum];
}

export function sampleExpression(field: ModelField): string {
  const name = stringLiteral(field.name);
  switch (field.type) {
    case 'string':
    case 'text': {
      if (field.minLength === undefined && field.maxLength === undefined) return `sampleText(${name}, number)`;
      const minimum = field.minLength ?? 0;
      return `sampleText(${name}, number, ${minimum}, ${field.maxLength ?? Math.max(200, minimum)})`;
    }
    case 'email':
      return `\`${field.name.replaceAll('_', '.')}\${number}@example.com\``;
    case 'url':
      return `\`https://example.com/${field.name}/\${number}\``;
    case 'uuid':
      return 'sampleUuid(number)';
    case 'integer':
      return `sampleInteger(number, ${numericRange(field, true).join(', ')})`;
    case 'number':
      return `sampleNumber(number, ${numericRange(field, false).join(', ')})`;
    case 'boolean':
      return 'number % 2 === 0';
    case 'date':
      return 'sampleDate(number)';
    case 'datetime':
      return 'sampleDateTime(number)';
    case 'enum':
      return `sampleOf([${(field.values ?? []).map(stringLiteral).join(', ')}] as const, number)`;
  }
}

export const fixtureNames = (resource: Resource) => ({
  fields: `${resource.variable}Fields`,
  input: `${resource.variable}Input`,
  stored: `stored${resource.name}`,
  newParent: `new${resource.name}Parent`,
  collectionUrl: `${resource.variable}sUrl`,
});

/** The generated expression of a resource's collection URL, its ids taken from `parent`. */
export function collectionUrlTemplate(model: AppModel, resource: Resource, parent: string): string {
  return `\`/api${collectionPath(model, resource).replace(/\{([^}]+)\}/g, `\${${parent}.$1}`)}\``;
}

/** The generated call making a create request: awaited when it stores references first. */
export function inputCall(model: AppModel, resource: Resource, database: string): string {
  const stores = resource.belongsTo.some((link) => link.required && link !== resource.parent);
  return stores ? `await ${fixtureNames(resource).input}(${database})` : `${fixtureNames(resource).input}()`;
}

function fixturesOf(model: AppModel, resource: Resource): string {
  const names = fixtureNames(resource);
  const store = storeNames(resource);
  const title = resource.title.toLowerCase();
  const references = resource.belongsTo
    .filter((link) => link.required && link !== resource.parent)
    .map(
      (link) => `${link.column}: (await ${fixtureNames(resourceNamed(model, link.target)).stored}(database)).record.id`,
    );
  const parts = [
    `/** Values for a new ${title}'s fields, different for each number. */\n` +
      `export function ${names.fields}(number: number) {\n  return {\n` +
      resource.fields.map((field) => `    ${field.name}: ${sampleExpression(field)},\n`).join('') +
      '  };\n}',
    references.length > 0
      ? `/** A whole create request for ${withArticle(title)}, with what it must reference stored first. */\n` +
        `export async function ${names.input}(database: Database): Promise<${store.type}Input> {\n` +
        `  return {\n    ...${names.fields}(nextNumber()),\n${references.map((line) => `    ${line},\n`).join('')}  };\n` +
        '}'
      : `/** A whole create request for ${withArticle(title)}. */\n` +
        `export function ${names.input}(): ${store.type}Input {\n  return ${names.fields}(nextNumber());\n}`,
  ];
  if (!resource.parent) {
    parts.push(
      `export async function ${names.stored}(database: Database): Promise<Stored<${store.type}>> {\n` +
        `  const record = await ${store.create}(database, ${inputCall(model, resource, 'database')});\n` +
        `  return { record, parent: undefined, collection: '/api${collectionPath(model, resource)}', url: \`/api${collectionPath(model, resource)}/\${record.id}\` };\n` +
        '}',
    );
    return parts.join('\n\n');
  }
  const parentResource = resourceNamed(model, resource.parent.target);
  const parentFixture = fixtureNames(parentResource);
  const parentIds = parentResource.parent ? `...${parentResource.variable}.parent, ` : '';
  parts.push(
    `/** The URL ids of a new ${title}: its ${parentResource.title.toLowerCase()}, stored for it. */\n` +
      `export async function ${names.newParent}(database: Database): Promise<${store.parentType}> {\n` +
      `  const ${parentResource.variable} = await ${parentFixture.stored}(database);\n` +
      `  return { ${parentIds}${resource.parent.column}: ${parentResource.variable}.record.id };\n` +
      '}',
    `export const ${names.collectionUrl} = (parent: ${store.parentType}) => ${collectionUrlTemplate(model, resource, 'parent')};`,
    `/** A stored ${title}, under the given parent or a new one. */\n` +
      `export async function ${names.stored}(database: Database, parent?: ${store.parentType}): Promise<Stored<${store.type}, ${store.parentType}>> {\n` +
      `  const within = parent ?? (await ${names.newParent}(database));\n` +
      `  const record = await ${store.create}(database, within, ${inputCall(model, resource, 'database')});\n` +
      `  const collection = ${names.collectionUrl}(within);\n` +
      `  return { record, parent: within, collection, url: \`\${collection}/\${record.id}\` };\n` +
      '}',
  );
  return parts.join('\n\n');
}

export function testFixturesFile(model: AppModel): string {
  const creatable = creatableResources(model);
  const resources = model.resources.filter((resource) => creatable.has(resource.name));
  const helpers = new Set<string>(['nextNumber']);
  for (const resource of resources) {
    for (const field of resource.fields) {
      const helper = /^(sample[A-Za-z]+)\(/.exec(sampleExpression(field))?.[1];
      if (helper) helpers.add(helper);
    }
  }
  return fileText(
    [
      importLine(['type Database'], '../database.js'),
      ...resources.map((resource) => {
        const store = storeNames(resource);
        return importLine(
          [
            store.create,
            `type ${store.type}`,
            `type ${store.type}Input`,
            ...(store.parentType ? [`type ${store.parentType}`] : []),
          ],
          `../stores/${resource.segment}.js`,
        );
      }),
      importLine([...helpers], './support.js'),
    ].join('\n'),
    '/** A record stored for a test, with the URLs it is found at. */\n' +
      'export interface Stored<Item, Parent = undefined> {\n' +
      '  record: Item;\n  /** the ids in its collection URL */\n  parent: Parent;\n  collection: string;\n  url: string;\n}',
    ...resources.map((resource) => fixturesOf(model, resource)),
  );
}
