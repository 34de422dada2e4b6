import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { learningModels, proposals } from '../db/schema.js';
import type { ProposalStatus } from '../proposals/states.js';
import { extractFeatures, type FeatureSource } from './features.js';
import { parseModel, predict, type AcceptanceModel } from '../analysis/acceptance/model.js';

export type ModelRow = typeof learningModels.$inferSelect;

/** Proposals whose score still matters: those waiting for a verdict. */
export const SCORED_STATUSES: readonly ProposalStatus[] = ['pending', 'testing', 'test-passed', 'test-failed'];

export async function latestModelRow(orm: Orm): Promise<ModelRow | undefined> {
  const [row] = await orm
    .select()
    .from(learningModels)
    .where(eq(learningModels.kind, 'acceptance'))
    .orderBy(desc(learningModels.version))
    .limit(1);
  return row;
}

/** The last model read per database, kept while its row is unchanged (same id, update count and time). */
const lastRead = new WeakMap<Orm, { key: string; row: ModelRow; model: AcceptanceModel }>();

/**
 * The newest model, parsed. Its weights (thousands of crossed features) are read and parsed again only
 * when the row changed since the last read: scoring a new proposal costs a small query and the
 * prediction's tens of microseconds, not a parse of the whole model.
 */
export async function latestModel(orm: Orm): Promise<{ row: ModelRow; model: AcceptanceModel } | undefined> {
  const [head] = await orm
    .select({ id: learningModels.id, trainedOn: learningModels.trainedOn, updatedAt: learningModels.updatedAt })
    .from(learningModels)
    .where(eq(learningModels.kind, 'acceptance'))
    .orderBy(desc(learningModels.version))
    .limit(1);
  if (!head) return undefined;
  const key = `${head.id}:${head.trainedOn}:${head.updatedAt.toISOString()}`;
  const cached = lastRead.get(orm);
  if (cached?.key === key) return cached;
  const row = await latestModelRow(orm);
  const model = row ? parseModel(row.weights) : undefined;
  if (!row || !model) return undefined;
  const read = { key: `${row.id}:${row.trainedOn}:${row.updatedAt.toISOString()}`, row, model };
  lastRead.set(orm, read);
  return read;
}

const roundScore = (score: number) => Math.round(score * 1_000_000) / 1_000_000;

/** The acceptance score of a proposal (stored or about to be); null while no model exists. */
export async function scoreProposal(orm: Orm, proposal: FeatureSource): Promise<number | null> {
  const current = await latestModel(orm);
  return current ? roundScore(predict(current.model, extractFeatures(proposal))) : null;
}

const featureColumns = {
  id: proposals.id,
  aiType: proposals.aiType,
  repositoryId: proposals.repositoryId,
  ruleId: proposals.ruleId,
  category: proposals.category,
  confidence: proposals.confidence,
  filePath: proposals.filePath,
  additions: proposals.additions,
  deletions: proposals.deletions,
  hunks: proposals.hunks,
  testResults: proposals.testResults,
  findings: proposals.findings,
};

const CHUNK = 500;

/**
 * Writes the current model's score on every proposal awaiting a verdict (or on the given ones). Rows
 * another transaction holds (being reviewed, tested or superseded right now) are skipped rather than
 * waited for, so this never deadlocks with a transition; the next model update scores them. Answers how
 * many rows it wrote.
 */
export async function rescoreProposals(orm: Orm, ids?: readonly string[]): Promise<number> {
  const current = await latestModel(orm);
  if (!current) return 0;
  const rows = await orm
    .select(featureColumns)
    .from(proposals)
    .where(and(inArray(proposals.status, [...SCORED_STATUSES]), ids ? inArray(proposals.id, [...ids]) : undefined));
  let written = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const values = rows
      .slice(start, start + CHUNK)
      .map((row) => sql`(${row.id}::uuid, ${roundScore(predict(current.model, extractFeatures(row)))}::real)`);
    const result = await orm.execute(sql`
      with scores(id, score) as (values ${sql.join(values, sql`, `)}),
      free as (
        select "proposals"."id" from "proposals" join scores on scores.id = "proposals"."id"
        order by "proposals"."id" for update of "proposals" skip locked
      )
      update "proposals" set "acceptance_score" = scores.score
      from scores, free
      where "proposals"."id" = scores.id and free.id = scores.id
      returning "proposals"."id"`);
    written += (result as { rows: unknown[] }).rows.length;
  }
  return written;
}
