import type { Database } from '../db/database.js';
import type { AnyAgentDefinition } from './agent-definition.js';

export interface AgentRegistry {
  /** any registered definition, templates included */
  get(type: string): AnyAgentDefinition | undefined;
  /** the agents with a row and schedule of their own: templates (declarative agents' type) are left out */
  list(): readonly AnyAgentDefinition[];
  /** the agents that run on a schedule: `list()` without the on-demand ones (pipeline stages) */
  listScheduled(): readonly AnyAgentDefinition[];
}

export function createAgentRegistry(definitions: readonly AnyAgentDefinition[]): AgentRegistry {
  const byType = new Map<string, AnyAgentDefinition>();
  for (const definition of definitions) {
    if (!/^[a-z][a-z0-9-]{1,39}$/.test(definition.type)) {
      throw new Error(`Agent type "${definition.type}" must be 2–40 lower-case letters, digits or dashes.`);
    }
    if (byType.has(definition.type)) throw new Error(`Agent type "${definition.type}" is registered twice.`);
    if (definition.concurrency < 1 || definition.maxAttempts < 1 || definition.timeoutSeconds < 1) {
      throw new Error(`Agent "${definition.type}" needs concurrency, maxAttempts and timeoutSeconds of at least 1.`);
    }
    byType.set(definition.type, definition);
  }
  const listed = () => [...byType.values()].filter((entry) => !entry.template);
  return {
    get: (type) => byType.get(type),
    list: listed,
    listScheduled: () => listed().filter((entry) => !entry.onDemand),
  };
}

/**
 * Makes sure every registered agent has its row (its stable id). Run at start by every process;
 * concurrent starts are harmless because the insert does nothing when the row exists.
 */
export async function ensureAgentRows(database: Database, registry: AgentRegistry): Promise<void> {
  for (const definition of registry.list()) {
    await database.query(
      `insert into agents (type, name, description) values ($1, $1, $2)
       on conflict (name) do update set description = excluded.description
       where agents.description is distinct from excluded.description`,
      [definition.type, definition.description],
    );
  }
}
