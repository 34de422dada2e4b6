import { and, asc, count, desc, eq, gte, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { proposals, proposalTransitions } from '../db/schema.js';
import { OPEN_STATUSES, type ProposalStatus } from './states.js';
import type { Proposal } from './transition-store.js';

export type NewProposal = typeof proposals.$inferInsert;
export type ProposalTransition = typeof proposalTransitions.$inferSelect;

export const PROPOSAL_SORTS = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'confidence',
  '-confidence',
  'acceptance_score',
  '-acceptance_score',
] as const;
export type ProposalSort = (typeof PROPOSAL_SORTS)[number];

export interface ProposalFilter {
  readonly aiType?: string | undefined;
  readonly statuses?: readonly ProposalStatus[] | undefined;
  readonly repositoryId?: string | undefined;
  readonly ruleId?: string | undefined;
  readonly since?: Date | undefined;
  readonly sort: ProposalSort;
  readonly limit: number;
  readonly skip: number;
}

/** The list columns: everything but the file contents and the diff, which only the detail view needs. */
const summaryColumns = {
  id: proposals.id,
  aiType: proposals.aiType,
  repositoryId: proposals.repositoryId,
  status: proposals.status,
  description: proposals.description,
  ruleId: proposals.ruleId,
  category: proposals.category,
  confidence: proposals.confidence,
  acceptanceScore: proposals.acceptanceScore,
  filePath: proposals.filePath,
  hunks: proposals.hunks,
  additions: proposals.additions,
  deletions: proposals.deletions,
  baseCommit: proposals.baseCommit,
  appliedCommit: proposals.appliedCommit,
  appliedBranch: proposals.appliedBranch,
  pullRequestUrl: proposals.pullRequestUrl,
  expiresAt: proposals.expiresAt,
  createdAt: proposals.createdAt,
  updatedAt: proposals.updatedAt,
};
export type ProposalSummary = { [Key in keyof typeof summaryColumns]: Proposal[Key] };

/** Tests that regressed: Sandbox's verdict `regression` (the proposal is test-failed). */
const regressed = sql`coalesce(${proposals.testResults}->>'verdict' = 'regression', false)`;
/** Tests that passed: Sandbox's verdict `passed` or `fixed`. */
const passing = sql`coalesce(${proposals.testResults}->>'verdict' in ('passed', 'fixed'), false)`;

/**
 * The inbox order (`sort=-acceptance_score`): most likely accepted first, unscored last — and a proposal
 * whose tests regressed never above a proposal of the same agent and rule whose tests passed, whatever
 * their scores (stale or not). A regressed proposal's sort key is capped at the lowest key of the passing
 * proposals of its (agent, rule) among those listed, and on a tie the passing one comes first.
 */
function inboxOrder(): SQL[] {
  const key = sql`coalesce(${proposals.acceptanceScore}, -1)`;
  const lowestPassing = sql`min(case when ${passing} then ${key} end) over (partition by ${proposals.aiType}, ${proposals.ruleId})`;
  return [
    sql`case when ${regressed} then least(${key}, coalesce(${lowestPassing}, ${key})) else ${key} end desc`,
    sql`case when ${regressed} then 1 else 0 end asc`,
    desc(proposals.id),
  ];
}

export async function listProposals(orm: Orm, filter: ProposalFilter) {
  const conditions: SQL[] = [];
  if (filter.aiType) conditions.push(eq(proposals.aiType, filter.aiType));
  if (filter.statuses?.length) conditions.push(inArray(proposals.status, [...filter.statuses]));
  if (filter.repositoryId) conditions.push(eq(proposals.repositoryId, filter.repositoryId));
  if (filter.ruleId) conditions.push(eq(proposals.ruleId, filter.ruleId));
  if (filter.since) conditions.push(gte(proposals.createdAt, filter.since));
  const where = conditions.length ? and(...conditions) : undefined;
  const direction = filter.sort.startsWith('-') ? desc : asc;
  const key = filter.sort.replace(/^-/, '') as 'created_at' | 'updated_at' | 'confidence' | 'acceptance_score';
  const column = {
    created_at: proposals.createdAt,
    updated_at: proposals.updatedAt,
    confidence: proposals.confidence,
    acceptance_score: proposals.acceptanceScore,
  }[key];
  const order =
    filter.sort === '-acceptance_score'
      ? inboxOrder()
      : key === 'acceptance_score'
        ? // unscored proposals (no model yet) come last either way
          [sql`${column} asc nulls last`, asc(proposals.id)]
        : [direction(column), direction(proposals.id)];
  const [rows, [total]] = await Promise.all([
    orm
      .select(summaryColumns)
      .from(proposals)
      .where(where)
      .orderBy(...order)
      .limit(filter.limit)
      .offset(filter.skip),
    orm.select({ total: count() }).from(proposals).where(where),
  ]);
  return { rows, total: total?.total ?? 0 };
}

export async function findProposal(orm: Orm, id: string): Promise<Proposal | undefined> {
  const [proposal] = await orm.select().from(proposals).where(eq(proposals.id, id));
  return proposal;
}

export async function proposalHistory(orm: Orm, id: string) {
  return orm
    .select()
    .from(proposalTransitions)
    .where(eq(proposalTransitions.proposalId, id))
    .orderBy(asc(proposalTransitions.id));
}

/**
 * Inserts a new proposal and its first history row (none → pending); answers undefined, writing nothing,
 * when a live proposal with the same content hash exists. Run it inside the creating transaction, so the
 * proposal and its history row (and whatever else the caller writes there) appear together or not at all.
 */
export async function insertProposalUnlessDuplicate(
  transaction: Orm,
  values: NewProposal & { createdBy: string },
): Promise<{ proposal: Proposal; creation: ProposalTransition } | undefined> {
  const [created] = await transaction
    .insert(proposals)
    .values(values)
    // The partial unique index on content_hash decides duplicates, so two identical proposals created
    // at the same moment cannot both get in.
    .onConflictDoNothing()
    .returning();
  if (!created) return undefined;
  const [creation] = await transaction
    .insert(proposalTransitions)
    .values({ proposalId: created.id, fromStatus: null, toStatus: 'pending', actor: values.createdBy })
    .returning();
  return { proposal: created, creation: creation! };
}

/** The live (open, applied or rejected) proposal with this content hash, which a new identical one duplicates. */
export async function findProposalByContentHash(orm: Orm, contentHash: string) {
  const [existing] = await orm
    .select({ id: proposals.id, status: proposals.status })
    .from(proposals)
    .where(
      and(eq(proposals.contentHash, contentHash), inArray(proposals.status, [...OPEN_STATUSES, 'applied', 'rejected'])),
    );
  return existing;
}

/** The open proposals of one agent and rule in one repository: those a new proposal of theirs may supersede. */
export async function openProposalsOfRule(
  orm: Orm,
  of: { repositoryId: string; aiType: string; ruleId: string },
): Promise<Proposal[]> {
  return orm
    .select()
    .from(proposals)
    .where(
      and(
        eq(proposals.repositoryId, of.repositoryId),
        eq(proposals.aiType, of.aiType),
        eq(proposals.ruleId, of.ruleId),
        isNotNull(proposals.ruleId),
        inArray(proposals.status, [...OPEN_STATUSES]),
      ),
    );
}

/** Records the pull request opened for an applied proposal, or why opening it failed. */
export async function recordPullRequest(
  orm: Orm,
  proposalId: string,
  outcome: { url: string } | { error: string },
): Promise<void> {
  await orm
    .update(proposals)
    .set(
      'url' in outcome ? { pullRequestUrl: outcome.url, pullRequestError: null } : { pullRequestError: outcome.error },
    )
    .where(eq(proposals.id, proposalId));
}
