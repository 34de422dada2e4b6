import type { AppModel, ModelField, Resource } from './app-model.js';

// Stage 4's artifact: the database of the generated app as one SQL migration, and its ER diagram. Tables are
// created first and linked after, so entities may point at each other in any order (even in a loop).

const quote = (identifier: string) => `"${identifier}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

const SQL_TYPES: Readonly<Record<ModelField['type'], string>> = {
  string: 'text',
  text: 'text',
  email: 'text',
  url: 'text',
  uuid: 'uuid',
  integer: 'integer',
  number: 'double precision',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamptz',
  enum: 'text',
};

function columnOf(table: string, field: ModelField): string {
  const parts = [quote(field.name), SQL_TYPES[field.type]];
  if (field.required) parts.push('NOT NULL');
  if (field.unique) parts.push('UNIQUE');
  const checks: string[] = [];
  const column = quote(field.name);
  if (field.values) checks.push(`${column} IN (${field.values.map(literal).join(', ')})`);
  if (field.minLength !== undefined) checks.push(`char_length(${column}) >= ${field.minLength}`);
  if (field.maxLength !== undefined) checks.push(`char_length(${column}) <= ${field.maxLength}`);
  if (field.minimum !== undefined) checks.push(`${column} >= ${field.minimum}`);
  if (field.maximum !== undefined) checks.push(`${column} <= ${field.maximum}`);
  if (checks.length > 0)
    parts.push(`CONSTRAINT ${quote(`${table}_${field.name}_check`)} CHECK (${checks.join(' AND ')})`);
  return parts.join(' ');
}

function tableOf(resource: Resource): string {
  const columns = [
    '"id" uuid PRIMARY KEY DEFAULT gen_random_uuid()',
    ...resource.fields.map((field) => columnOf(resource.table, field)),
    ...resource.belongsTo.map((link) => `${quote(link.column)} uuid${link.required ? ' NOT NULL' : ''}`),
    '"created_at" timestamptz NOT NULL DEFAULT now()',
    '"updated_at" timestamptz NOT NULL DEFAULT now()',
  ];
  return `CREATE TABLE ${quote(resource.table)} (\n  ${columns.join(',\n  ')}\n);`;
}

function tableName(model: AppModel, name: string): string {
  return model.resources.find((resource) => resource.name === name)?.table ?? name;
}

/** The SQL that creates the app's database from nothing. */
export function sqlSchemaOf(model: AppModel): string {
  const statements: string[] = [];
  if (model.auth) {
    statements.push(
      'CREATE TABLE "users" (\n  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n  "email" text NOT NULL UNIQUE,\n' +
        '  "password_hash" text NOT NULL,\n  "created_at" timestamptz NOT NULL DEFAULT now()\n);',
      'CREATE TABLE "sessions" (\n  "token_hash" text PRIMARY KEY,\n  "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,\n' +
        '  "expires_at" timestamptz NOT NULL\n);',
    );
  }
  for (const resource of model.resources) statements.push(tableOf(resource));
  for (const resource of model.resources) {
    for (const link of resource.belongsTo) {
      // Deleting a parent deletes what is nested under it; any other reference blocks the delete (409)
      // when required, and is cleared when optional.
      const onDelete = link === resource.parent ? 'CASCADE' : link.required ? 'RESTRICT' : 'SET NULL';
      statements.push(
        `ALTER TABLE ${quote(resource.table)} ADD CONSTRAINT ${quote(`${resource.table}_${link.column}_fkey`)} ` +
          `FOREIGN KEY (${quote(link.column)}) REFERENCES ${quote(tableName(model, link.target))} ("id") ON DELETE ${onDelete};`,
        `CREATE INDEX ${quote(`${resource.table}_${link.column}_index`)} ON ${quote(resource.table)} (${quote(link.column)});`,
      );
    }
    for (const link of resource.manyToMany) {
      statements.push(
        `CREATE TABLE ${quote(link.joinTable)} (\n` +
          `  ${quote(link.ownColumn)} uuid NOT NULL REFERENCES ${quote(resource.table)} ("id") ON DELETE CASCADE,\n` +
          `  ${quote(link.targetColumn)} uuid NOT NULL REFERENCES ${quote(tableName(model, link.target))} ("id") ON DELETE CASCADE,\n` +
          `  PRIMARY KEY (${quote(link.ownColumn)}, ${quote(link.targetColumn)})\n);`,
      );
    }
    statements.push(
      `CREATE INDEX ${quote(`${resource.table}_created_at_index`)} ON ${quote(resource.table)} ("created_at", "id");`,
    );
  }
  return `${statements.join('\n\n')}\n`;
}

const ER_TYPES: Readonly<Record<ModelField['type'], string>> = {
  ...SQL_TYPES,
  number: 'double',
  datetime: 'timestamptz',
};

/** A Mermaid ER diagram of the same tables. */
export function entityRelationDiagramOf(model: AppModel): string {
  const lines = ['erDiagram'];
  for (const resource of model.resources) {
    lines.push(`  ${resource.table} {`, '    uuid id PK');
    for (const field of resource.fields)
      lines.push(`    ${ER_TYPES[field.type]} ${field.name}${field.unique ? ' UK' : ''}`);
    for (const link of resource.belongsTo) lines.push(`    uuid ${link.column} FK`);
    lines.push('  }');
  }
  for (const resource of model.resources) {
    for (const link of resource.belongsTo) {
      lines.push(`  ${tableName(model, link.target)} ||--o{ ${resource.table} : "${link.name}"`);
    }
    for (const link of resource.manyToMany) {
      lines.push(`  ${resource.table} }o--o{ ${tableName(model, link.target)} : "${link.name}"`);
    }
  }
  return `${lines.join('\n')}\n`;
}
