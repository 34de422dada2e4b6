import { and, count, eq, ne, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { agents, tasks } from '../db/schema.js';
import type { AgentRow } from '../tasks/task-store.js';

/** The agent after the request, and whether the request changed it (a repeated pause or resume does not). */
export interface AgentChange {
  readonly agent: AgentRow;
  readonly changed: boolean;
}

/**
 * Pauses an agent: workers stop claiming its tasks (the claim reads the status under the agent's row
 * lock), while tasks already running finish. Answers undefined when there is no such agent.
 */
export async function pauseAgent(orm: Orm, id: string): Promise<AgentChange | undefined> {
  const [paused] = await orm
    .update(agents)
    .set({ status: 'paused', updatedAt: sql`now()` })
    .where(and(eq(agents.id, id), ne(agents.status, 'paused')))
    .returning();
  if (paused) return { agent: paused, changed: true };
  const [current] = await orm.select().from(agents).where(eq(agents.id, id));
  return current ? { agent: current, changed: false } : undefined;
}

/**
 * Resumes a paused agent: `running` when some of its tasks still run, `idle` otherwise. The agent's row is
 * locked first, as claims and finishes do, so the count of running tasks cannot change underneath.
 * An agent that is not paused is left as it is.
 */
export async function resumeAgent(orm: Orm, id: string): Promise<AgentChange | undefined> {
  return orm.transaction(async (transaction) => {
    const [agent] = await transaction.select().from(agents).where(eq(agents.id, id)).for('update');
    if (!agent) return undefined;
    if (agent.status !== 'paused') return { agent, changed: false };
    const [running] = await transaction
      .select({ count: count() })
      .from(tasks)
      .where(and(eq(tasks.agentId, id), eq(tasks.status, 'running')));
    const [resumed] = await transaction
      .update(agents)
      .set({ status: (running?.count ?? 0) > 0 ? 'running' : 'idle', updatedAt: sql`now()` })
      .where(eq(agents.id, id))
      .returning();
    return { agent: resumed!, changed: true };
  });
}
