import { and, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Orm } from '../../db/database.js';
import { agents, tasks } from '../../db/schema.js';
import type { AgentRow } from '../../tasks/task-store.js';
import {
  DECLARATIVE_TYPE,
  readDeclarativeConfig,
  type createDeclarativeBody,
  type updateDeclarativeBody,
} from './config.js';

export type CreateDeclarative = z.output<typeof createDeclarativeBody>;
export type UpdateDeclarative = z.output<typeof updateDeclarativeBody>;

/** Stores a new declarative agent; undefined when the name is taken (the unique index decides). */
export async function insertDeclarativeAgent(orm: Orm, body: CreateDeclarative): Promise<AgentRow | undefined> {
  const [row] = await orm
    .insert(agents)
    .values({
      type: DECLARATIVE_TYPE,
      name: body.name,
      description: body.description,
      config: {
        instructions: body.instructions,
        input_schema: body.input_schema,
        output_schema: body.output_schema,
        model: body.model ?? null,
      },
    })
    .onConflictDoNothing({ target: agents.name })
    .returning();
  return row;
}

/**
 * Changes a declarative agent's fields. Tasks already queued keep their input, which was checked against
 * the schema of their submission; a task is checked again against the current schema when it runs.
 */
export async function updateDeclarativeAgent(orm: Orm, agent: AgentRow, change: UpdateDeclarative): Promise<AgentRow> {
  const current = readDeclarativeConfig(agent.config);
  const config = {
    ...agent.config,
    ...(current ?? {}),
    ...(change.instructions !== undefined ? { instructions: change.instructions } : {}),
    ...(change.input_schema !== undefined ? { input_schema: change.input_schema } : {}),
    ...(change.output_schema !== undefined ? { output_schema: change.output_schema } : {}),
    ...(change.model !== undefined ? { model: change.model } : {}),
  };
  const [row] = await orm
    .update(agents)
    .set({
      config,
      ...(change.description !== undefined ? { description: change.description } : {}),
      updatedAt: sql`now()`,
    })
    .where(and(eq(agents.id, agent.id), eq(agents.type, DECLARATIVE_TYPE)))
    .returning();
  return row ?? agent;
}

/** Deletes a declarative agent and its finished tasks; refused (false) while tasks of it wait or run. */
export async function deleteDeclarativeAgent(orm: Orm, agent: AgentRow): Promise<boolean> {
  return orm.transaction(async (transaction) => {
    // The agent's row lock orders this with the queue's claims of its tasks (src/tasks/task-store.ts).
    await transaction.select({ id: agents.id }).from(agents).where(eq(agents.id, agent.id)).for('update');
    const [busy] = await transaction
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.agentId, agent.id), inArray(tasks.status, ['queued', 'retrying', 'running'])))
      .limit(1);
    if (busy) return false;
    await transaction.delete(agents).where(and(eq(agents.id, agent.id), eq(agents.type, DECLARATIVE_TYPE)));
    return true;
  });
}
