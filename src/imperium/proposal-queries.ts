import { eq, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { proposals } from '../db/schema.js';

/** The proposals with this exact content (every repository proposal is hashed the same way). */
export async function proposalsWithContentHash(orm: Orm, hash: string): Promise<{ id: string; status: string }[]> {
  return orm
    .select({ id: proposals.id, status: proposals.status })
    .from(proposals)
    .where(eq(proposals.contentHash, hash));
}

/** Adds a paragraph at the end of a proposal's rationale. */
export async function appendToRationale(orm: Orm, proposalId: string, paragraph: string): Promise<void> {
  await orm
    .update(proposals)
    .set({ rationale: sql`coalesce(${proposals.rationale} || E'\\n\\n', '') || ${paragraph}` })
    .where(eq(proposals.id, proposalId));
}
