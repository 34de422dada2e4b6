import type { Orm } from '../db/database.js';
import { custodyEligibility, type Eligibility } from './custody-store.js';
import { CUSTODY_AGENT_TYPES } from './types.js';

/** Whether each agent may act on its own, from its custody record: the one named, or every custody agent. */
export async function custodyEligibilities(
  orm: Orm,
  agentType: string | undefined,
): Promise<{ agentType: string; eligibility: Eligibility }[]> {
  const agentTypes = agentType ? [agentType] : [...CUSTODY_AGENT_TYPES];
  return Promise.all(
    agentTypes.map(async (type) => ({ agentType: type, eligibility: await custodyEligibility(orm, type) })),
  );
}
