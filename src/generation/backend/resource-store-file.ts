import { parentParameters, resourceNamed, type AppModel, type ModelField, type Resource } from '../app-model.js';
import { pascalCase } from '../naming.js';
import { arrayText, fileText, importLine, sqlName, withArticle } from './code-text.js';
import type { OpenApiDocument } from './document-operations.js';
import { interfaceOf } from './schema-types.js';

// src/stores/<resource>.ts of the generated app: the resource's types (from the document's schemas) and
// its SQL. Rows come back shaped as the API shows them: dates as YYYY-MM-DD, timestamps as ISO 8601 in
// UTC, linked ids as arrays, absent values as null.

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const ISO_TIMESTAMP = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

function columnExpression(resource: Resource, field: Pick<ModelField, 'name' | 'type'>): string {
  const column = sqlName(field.name);
  if (field.type === 'date') return `to_char(${column}, 'YYYY-MM-DD') AS ${column}`;
  if (field.type === 'datetime') return `to_char(${column} AT TIME ZONE 'UTC', ${ISO_TIMESTAMP}) AS ${column}`;
  return column;
}

/** The select list giving the `<Name>` schema's properties in its order. */
function selectList(resource: Resource): string[] {
  const table = sqlName(resource.table);
  return [
    '"id"',
    ...resource.fields.map((field) => columnExpression(resource, field)),
    ...resource.belongsTo.map((link) => sqlName(link.column)),
    ...resource.manyToMany.map(
      (link) =>
        `ARRAY(SELECT ${sqlName(link.targetColumn)}::text FROM ${sqlName(link.joinTable)} ` +
        `WHERE ${sqlName(link.joinTable)}.${sqlName(link.ownColumn)} = ${table}."id" ` +
        `ORDER BY ${sqlName(link.targetColumn)}) AS ${sqlName(link.property)}`,
    ),
    columnExpression(resource, { name: 'created_at', type: 'datetime' }),
    columnExpression(resource, { name: 'updated_at', type: 'datetime' }),
  ];
}

/** The columns a client writes, in the `<Name>Input` schema's order (the parent's column is the URL's). */
export function writableColumns(resource: Resource): string[] {
  return [
    ...resource.fields.map((field) => field.name),
    ...resource.belongsTo.filter((link) => link !== resource.parent).map((link) => link.column),
  ];
}

export interface StoreNames {
  readonly type: string;
  readonly parentType: string | undefined;
  readonly list: string;
  readonly find: string;
  readonly create: string;
  readonly update: string;
  readonly remove: string;
}

export function storeNames(resource: Resource): StoreNames {
  const plural = pascalCase(resource.table);
  return {
    type: resource.name,
    parentType: resource.parent ? `${resource.name}Parent` : undefined,
    list: `list${plural}`,
    find: `find${resource.name}`,
    create: `create${resource.name}`,
    update: `update${resource.name}`,
    remove: `delete${resource.name}`,
  };
}

/** The ancestors' tables, the immediate parent last, each with the column of its own parent. */
function parentCheck(model: AppModel, resource: Resource): { sql: string; values: string[] } {
  const parameters = parentParameters(model, resource);
  const chain: Resource[] = [];
  for (let link = resource.parent; link;) {
    const parent = resourceNamed(model, link.target);
    chain.unshift(parent);
    link = parent.parent;
  }
  // chain[i] is the resource whose id is parameters[i]; chain[i + 1] holds it in column parameters[i].
  const last = chain.length - 1;
  const joins = chain
    .slice(0, last)
    .slice(1)
    .map(
      (ancestor, index) =>
        ` JOIN ${sqlName(ancestor.table)} ON ${sqlName(ancestor.table)}."id" = ` +
        `${sqlName(chain[index + 2]!.table)}.${sqlName(parameters[index + 1]!)}`,
    )
    .reverse();
  const conditions = [`${sqlName(chain[last]!.table)}."id" = $${last + 1}`];
  for (let index = last - 1; index >= 0; index -= 1) {
    conditions.push(`${sqlName(chain[index + 1]!.table)}.${sqlName(parameters[index]!)} = $${index + 1}`);
  }
  return {
    sql: `SELECT 1 FROM ${sqlName(chain[last]!.table)}${joins.join('')} WHERE ${conditions.join(' AND ')}`,
    values: parameters.map((parameter) => `parent.${parameter}`),
  };
}

export function storeFile(model: AppModel, document: OpenApiDocument, resource: Resource): string {
  const names = storeNames(resource);
  const table = sqlName(resource.table);
  const nested = resource.parent !== undefined;
  const parentColumn = resource.parent?.column;
  const linked = resource.manyToMany.length > 0;
  const parentArgument = nested ? `, parent: ${names.parentType}` : '';
  const parentCondition = nested ? ` AND ${sqlName(parentColumn!)} = $2` : '';
  const parentValue = nested ? `, parent.${parentColumn}` : '';
  const writable = writableColumns(resource);
  const insertColumns = [...(nested ? [parentColumn!] : []), ...writable];
  const requiredColumns = new Set([
    ...resource.fields.filter((field) => field.required).map((field) => field.name),
    ...resource.belongsTo.filter((link) => link.required).map((link) => link.column),
  ]);
  const insertValues = [
    ...(nested ? [`parent.${parentColumn}`] : []),
    ...writable.map((column) => (requiredColumns.has(column) ? `input.${column}` : `input.${column} ?? null`)),
  ];
  const title = resource.title.toLowerCase();
  const pluralTitle = resource.pluralTitle.toLowerCase();

  const imports = [
    importLine(['type Queryable', ...(linked ? ['type Database'] : [])], '../database.js'),
    resource.pagination ? importLine(['type Page', 'type PageOf'], '../pagination.js') : undefined,
  ]
    .filter(Boolean)
    .join('\n');

  const types = [
    interfaceOf(
      document,
      resource.name,
      `${capitalized(withArticle(title))} as the API shows it (the \`${resource.name}\` schema).`,
    ),
    interfaceOf(document, `${resource.name}Input`, `What a client sends to create ${withArticle(title)}.`),
    `/** What a client sends to change ${withArticle(title)}: any of the input's properties, at least one. */\n` +
      `export type ${resource.name}Update = Partial<${resource.name}Input>;`,
    nested
      ? `/** The ids in the URL of the ${pluralTitle}' collection. */\nexport interface ${names.parentType} {\n` +
        parentParameters(model, resource)
          .map((parameter) => `  ${parameter}: string;`)
          .join('\n') +
        '\n}'
      : undefined,
  ];

  const columns = `const COLUMNS = [\n${selectList(resource)
    .map((expression) => `  ${expression.includes("'") ? `\`${expression}\`` : `'${expression}'`},`)
    .join('\n')}\n].join(', ');`;
  const updatable = `const UPDATABLE_COLUMNS = ${arrayText(
    writable.map((column) => `'${column}'`),
    '',
  )} as const;`;

  const linkFunctions = resource.manyToMany.map((link) => {
    const functionName = `replace${pascalCase(link.name)}`;
    return (
      `/** Links the ${title} to exactly the given ${resourceNamed(model, link.target).pluralTitle.toLowerCase()}. */\n` +
      `async function ${functionName}(database: Queryable, id: string, ids: readonly string[]): Promise<void> {\n` +
      `  await database.query('DELETE FROM ${sqlName(link.joinTable)} WHERE ${sqlName(link.ownColumn)} = $1', [id]);\n` +
      `  if (ids.length === 0) return;\n` +
      `  await database.query(\n` +
      `    'INSERT INTO ${sqlName(link.joinTable)} (${sqlName(link.ownColumn)}, ${sqlName(link.targetColumn)}) SELECT $1, unnest($2::uuid[])',\n` +
      `    [id, ids],\n` +
      `  );\n` +
      `}`
    );
  });

  const list = resource.pagination
    ? `/** One page of the ${pluralTitle}, oldest first, and how many there are in all. */\n` +
      `export async function ${names.list}(database: Queryable${parentArgument}, page: Page): Promise<PageOf<${names.type}>> {\n` +
      `  const items = await database.query<${names.type}>(\n` +
      `    \`SELECT \${COLUMNS} FROM ${table}${nested ? ` WHERE ${sqlName(parentColumn!)} = $3` : ''} ORDER BY "created_at", "id" LIMIT $1 OFFSET $2\`,\n` +
      `    [page.limit, page.offset${parentValue}],\n` +
      `  );\n` +
      `  const [count] = await database.query<{ total: number }>(\n` +
      (nested
        ? `    'SELECT count(*)::integer AS "total" FROM ${table} WHERE ${sqlName(parentColumn!)} = $1',\n` +
          `    [parent.${parentColumn}],\n`
        : `    'SELECT count(*)::integer AS "total" FROM ${table}',\n`) +
      `  );\n` +
      `  return { items, total: count?.total ?? 0 };\n` +
      `}`
    : `/** All the ${pluralTitle}, oldest first. */\n` +
      `export function ${names.list}(database: Queryable${parentArgument}): Promise<${names.type}[]> {\n` +
      `  return database.query<${names.type}>(\n` +
      (nested
        ? `    \`SELECT \${COLUMNS} FROM ${table} WHERE ${sqlName(parentColumn!)} = $1 ORDER BY "created_at", "id"\`,\n` +
          `    [parent.${parentColumn}],\n`
        : `    \`SELECT \${COLUMNS} FROM ${table} ORDER BY "created_at", "id"\`,\n`) +
      `  );\n` +
      `}`;

  const find =
    `export async function ${names.find}(database: Queryable, id: string${parentArgument}): Promise<${names.type} | undefined> {\n` +
    `  const [row] = await database.query<${names.type}>(\n` +
    `    \`SELECT \${COLUMNS} FROM ${table} WHERE "id" = $1${parentCondition}\`,\n` +
    `    [id${parentValue}],\n` +
    `  );\n` +
    `  return row;\n` +
    `}`;

  const placeholders = insertColumns.map((_, index) => `$${index + 1}`).join(', ');
  const insertSql = `INSERT INTO ${table} (${insertColumns.map(sqlName).join(', ')}) VALUES (${placeholders})`;
  const insertLong = insertSql.length > 80;
  const create = linked
    ? `export function ${names.create}(database: Database${parentArgument}, input: ${names.type}Input): Promise<${names.type}> {\n` +
      `  return database.transaction(async (transaction) => {\n` +
      `    const [row] = await transaction.query<{ id: string }>(\n` +
      (insertLong
        ? `      \`INSERT INTO ${table} (${insertColumns.map(sqlName).join(', ')})\n       VALUES (${placeholders}) RETURNING "id"\`,\n`
        : `      '${insertSql} RETURNING "id"',\n`) +
      `      ${arrayText(insertValues, '      ')},\n` +
      `    );\n` +
      resource.manyToMany
        .map(
          (link) => `    await replace${pascalCase(link.name)}(transaction, row!.id, input.${link.property} ?? []);\n`,
        )
        .join('') +
      `    return (await ${names.find}(transaction, row!.id${nested ? ', parent' : ''}))!;\n` +
      `  });\n` +
      `}`
    : `export async function ${names.create}(database: Queryable${parentArgument}, input: ${names.type}Input): Promise<${names.type}> {\n` +
      `  const [row] = await database.query<${names.type}>(\n` +
      (insertLong
        ? `    \`INSERT INTO ${table} (${insertColumns.map(sqlName).join(', ')})\n     VALUES (${placeholders}) RETURNING \${COLUMNS}\`,\n`
        : `    \`${insertSql} RETURNING \${COLUMNS}\`,\n`) +
      `    ${arrayText(insertValues, '    ')},\n` +
      `  );\n` +
      `  return row!;\n` +
      `}`;

  const firstChange = nested ? 3 : 2;
  const assignments = (padding: string) =>
    `${padding}const columns = UPDATABLE_COLUMNS.filter((column) => Object.hasOwn(changes, column));\n` +
    `${padding}const assignments = columns.map((column, index) => \`"\${column}" = $\${index + ${firstChange}}\`);\n` +
    `${padding}assignments.push('"updated_at" = now()');\n`;
  const update = linked
    ? `/** Changes the properties given; undefined when there is no such ${title}. */\n` +
      `export function ${names.update}(\n  database: Database,\n  id: string,${nested ? `\n  parent: ${names.parentType},` : ''}\n  changes: ${names.type}Update,\n): Promise<${names.type} | undefined> {\n` +
      `  return database.transaction(async (transaction) => {\n` +
      assignments('    ') +
      `    const [row] = await transaction.query<{ id: string }>(\n` +
      `      \`UPDATE ${table} SET \${assignments.join(', ')} WHERE "id" = $1${parentCondition} RETURNING "id"\`,\n` +
      `      [id${parentValue}, ...columns.map((column) => changes[column])],\n` +
      `    );\n` +
      `    if (!row) return undefined;\n` +
      resource.manyToMany
        .map(
          (link) =>
            `    if (changes.${link.property}) await replace${pascalCase(link.name)}(transaction, id, changes.${link.property});\n`,
        )
        .join('') +
      `    return ${names.find}(transaction, id${nested ? ', parent' : ''});\n` +
      `  });\n` +
      `}`
    : `/** Changes the properties given; undefined when there is no such ${title}. */\n` +
      `export async function ${names.update}(\n  database: Queryable,\n  id: string,${nested ? `\n  parent: ${names.parentType},` : ''}\n  changes: ${names.type}Update,\n): Promise<${names.type} | undefined> {\n` +
      assignments('  ') +
      `  const [row] = await database.query<${names.type}>(\n` +
      `    \`UPDATE ${table} SET \${assignments.join(', ')} WHERE "id" = $1${parentCondition} RETURNING \${COLUMNS}\`,\n` +
      `    [id${parentValue}, ...columns.map((column) => changes[column])],\n` +
      `  );\n` +
      `  return row;\n` +
      `}`;

  const remove =
    `/** False when there is no such ${title}. */\n` +
    `export async function ${names.remove}(database: Queryable, id: string${parentArgument}): Promise<boolean> {\n` +
    `  const rows = await database.query(\n` +
    `    'DELETE FROM ${table} WHERE "id" = $1${parentCondition} RETURNING "id"',\n` +
    `    [id${parentValue}],\n` +
    `  );\n` +
    `  return rows.length > 0;\n` +
    `}`;

  const check = nested ? parentCheck(model, resource) : undefined;
  const parentExists = check
    ? `/** Whether the ${resourceNamed(model, resource.parent!.target).title.toLowerCase()} of the URL exists (under its own parents). */\n` +
      `export async function parentExists(database: Queryable, parent: ${names.parentType}): Promise<boolean> {\n` +
      `  const rows = await database.query(\n    '${check.sql}',\n    [${check.values.join(', ')}],\n  );\n` +
      `  return rows.length > 0;\n` +
      `}`
    : undefined;

  return fileText(
    imports,
    `// The ${pluralTitle}: their types, written from openapi.json, and their SQL.`,
    ...types,
    columns,
    updatable,
    ...linkFunctions,
    parentExists,
    list,
    find,
    create,
    update,
    remove,
  );
}
