import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { PGlite } from '@electric-sql/pglite';
import { appSpecSchema } from '../src/generation/app-spec.js';
import { collectionPath, modelFromSpec } from '../src/generation/app-model.js';
import { architectureOf } from '../src/generation/architecture.js';
import { pluralize, singularize } from '../src/generation/naming.js';
import { openApiDocumentOf } from '../src/generation/openapi-document.js';
import { requirementsOf, requirementsSchema } from '../src/generation/requirements.js';
import { entityRelationDiagramOf, sqlSchemaOf } from '../src/generation/sql-schema.js';

const blog = JSON.parse(readFileSync(new URL('./fixtures/app-specs/blog.json', import.meta.url), 'utf8')) as {
  name: string;
  description: string;
  spec: unknown;
};

describe('the offline engine, stages 1 to 4', () => {
  const spec = appSpecSchema.parse(blog.spec);
  const model = modelFromSpec(blog, spec);

  it('resolves names once: tables, URL segments, nesting and links', () => {
    const comment = model.resources.find((resource) => resource.name === 'Comment');
    assert.equal(comment?.table, 'comments');
    assert.equal(collectionPath(model, comment), '/posts/{post_id}/comments');
    const post = model.resources.find((resource) => resource.name === 'Post');
    assert.deepEqual(
      post?.manyToMany.map((link) => [link.property, link.joinTable]),
      [['tag_ids', 'posts_tags']],
    );
    assert.equal(model.auth, true);
    assert.deepEqual(['category', 'person', 'box', 'news'].map(pluralize), ['categories', 'people', 'boxes', 'news']);
    assert.deepEqual(['categories', 'people', 'boxes', 'status'].map(singularize), [
      'category',
      'person',
      'box',
      'status',
    ]);
  });

  it('writes requirements that pass their own schema, with stories per operation', () => {
    const requirements = requirementsSchema.parse(requirementsOf(model));
    assert.ok(requirements.user_stories.some((story) => story.id === 'US-comments-create'));
    assert.ok(
      requirements.acceptance_criteria.some((item) =>
        /second author with the same email answers 409/.test(item.criterion),
      ),
    );
    assert.equal(requirements.entities.length, 4);
  });

  it('draws the architecture for the targets asked for', () => {
    assert.ok(architectureOf(model, ['web']).components.some((component) => component.name === 'frontend'));
    const api = architectureOf(model, ['api']);
    assert.ok(!api.components.some((component) => component.name === 'frontend'));
    assert.match(api.diagram, /^flowchart LR/);
  });

  it('writes an OpenAPI 3.1 document that a real validator accepts, auth where the spec asks', async () => {
    const document = openApiDocumentOf(model) as { paths: Record<string, Record<string, { security?: unknown }>> };
    const checked = await validate(structuredClone(document) as never);
    assert.equal(checked.valid, true, JSON.stringify(checked));
    assert.deepEqual(Object.keys(document.paths['/posts/{post_id}/comments/{id}'] ?? {}).sort(), [
      'delete',
      'get',
      'patch',
    ]);
    assert.equal(document.paths['/posts']?.get?.security, undefined);
    assert.deepEqual(document.paths['/posts']?.post?.security, [{ bearerAuth: [] }]);
    assert.ok(document.paths['/auth/login']);
  });

  it('writes SQL that PostgreSQL runs, enforcing enums, uniqueness and references', async () => {
    const database = new PGlite();
    try {
      await database.exec(sqlSchemaOf(model));
      const author = await database.query<{ id: string }>(
        `INSERT INTO authors (name, email) VALUES ('A', 'a@example.com') RETURNING id`,
      );
      const authorId = author.rows[0]!.id;
      await assert.rejects(database.query(`INSERT INTO authors (name, email) VALUES ('B', 'a@example.com')`), /unique/);
      await assert.rejects(
        database.query(`INSERT INTO posts (title, status, author_id) VALUES ('t', 'gone', $1)`, [authorId]),
        /check constraint/,
      );
      const post = await database.query<{ id: string }>(
        `INSERT INTO posts (title, status, author_id) VALUES ('t', 'draft', $1) RETURNING id`,
        [authorId],
      );
      await database.query(`INSERT INTO comments (body, post_id) VALUES ('hi', $1)`, [post.rows[0]!.id]);
      await assert.rejects(database.query(`DELETE FROM authors`), /foreign key/);
      await database.query(`DELETE FROM posts`);
      assert.equal((await database.query(`SELECT * FROM comments`)).rows.length, 0, 'comments go with their post');
    } finally {
      await database.close();
    }
    assert.match(entityRelationDiagramOf(model), /posts }o--o{ tags : "tags"/);
  });

  it('refuses a bad spec with the path of each fault', () => {
    const result = appSpecSchema.safeParse({
      entities: [
        {
          name: 'Task',
          fields: [
            { name: 'id', type: 'string' },
            { name: 'state', type: 'enum' },
          ],
        },
        {
          name: 'task',
          fields: [{ name: 'x', type: 'string' }],
          relations: [{ name: 'owner', kind: 'belongs_to', target: 'Nobody' }],
        },
        { name: 'Child', parent: 'Task', fields: [{ name: 'y', type: 'integer' }] },
      ],
    });
    assert.equal(result.success, false);
    const paths = result.error.issues.map((issue) => issue.path.join('.')).sort();
    assert.deepEqual(paths, [
      'entities.0.fields.0.name',
      'entities.0.fields.1.values',
      'entities.1.name',
      'entities.1.relations.0.target',
      'entities.2.parent',
    ]);
  });
});
