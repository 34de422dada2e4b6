import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { learningEvents, learningModels } from '../db/schema.js';
import { transitionProposal, type Proposal, type TransitionRequest } from '../proposals/transition-store.js';
import { writeAgentProgress, eventXp, type LearningEventRow } from './agent-progress.js';
import { evaluate, type ModelQuality } from './evaluation.js';
import type { ProposalFeatures } from '../analysis/acceptance/proposal-features.js';
import { extractFeatures } from './features.js';
import { takeLearningLock } from './learning-lock.js';
import type { Difficulty } from './xp.js';
import { emptyModel, learn, parseModel, train } from '../analysis/acceptance/model.js';
import { latestModelRow, rescoreProposals } from './model-store.js';
import { evaluateSuppression } from './suppression-store.js';

export type LearningEventKind = 'verdict' | 'test' | 'apply';

/** How many of the most recent verdicts model quality is measured on. */
export const QUALITY_WINDOW = 100;

/** What a proposal's current state says happened, for an event of this kind; undefined: nothing to learn. */
export function outcomeOf(kind: LearningEventKind, proposal: Proposal): string | undefined {
  if (kind === 'verdict') {
    return proposal.status === 'accepted' || proposal.status === 'rejected' ? proposal.status : undefined;
  }
  if (kind === 'apply') {
    if (proposal.status === 'applied') return 'applied';
    return proposal.status === 'apply-failed' ? 'apply_failed' : undefined;
  }
  const verdict = proposal.testResults?.verdict;
  return typeof verdict === 'string' ? verdict : undefined;
}

/**
 * Stores what just happened to a proposal as a learning event — once: a second call for the same
 * proposal and kind changes nothing (unique key, on conflict do nothing). In the same transaction, under
 * the learning lock, the event is folded into its agent's XP and record, and a verdict also updates the
 * acceptance model by one step and may suppress its (repository, rule). Called with the transaction of
 * the state change when there is one, so the event commits with it or not at all.
 */
export async function recordLearningEvent(
  orm: Orm,
  proposal: Proposal,
  input: { kind: LearningEventKind; reason?: string | null | undefined; at?: Date | undefined },
): Promise<LearningEventRow | undefined> {
  const outcome = outcomeOf(input.kind, proposal);
  if (outcome === undefined) return undefined;
  return orm.transaction(async (transaction) => {
    await takeLearningLock(transaction);
    const features = extractFeatures(proposal);
    const [event] = await transaction
      .insert(learningEvents)
      .values({
        proposalId: proposal.id,
        repositoryId: proposal.repositoryId,
        agentType: proposal.aiType,
        ruleId: proposal.ruleId,
        kind: input.kind,
        outcome,
        reason: input.reason ?? null,
        features: features as unknown as Record<string, unknown>,
        predictedScore: input.kind === 'verdict' ? proposal.acceptanceScore : null,
        xpDelta: eventXp({ kind: input.kind, outcome, features: features as unknown as Record<string, unknown> }),
        ...(input.at ? { createdAt: input.at } : {}),
      })
      .onConflictDoNothing()
      .returning();
    if (!event) return undefined;
    await writeAgentProgress(transaction, event.agentType, [event], 'stored');
    if (event.kind === 'verdict') {
      await learnIncrementally(transaction, event);
      if (event.repositoryId && event.ruleId) {
        await evaluateSuppression(transaction, event.repositoryId, event.ruleId, input.at ?? new Date());
      }
    }
    return event;
  });
}

/**
 * A custody test's result as a learning event (kind `custody`, outcome `passed`/`failed`, the test's
 * difficulty and id in `features`), folded into its agent's XP by the one writer of agent progress. Runs
 * in the caller's transaction (the one storing the custody test), so the XP exists exactly when the test
 * does; a recompute from history gives the same XP.
 */
export async function recordCustodyEvent(
  orm: Orm,
  input: {
    agentType: string;
    custodyTestId: string;
    difficulty: Difficulty;
    passed: boolean;
    score: number;
    at?: Date | undefined;
  },
): Promise<LearningEventRow> {
  return orm.transaction(async (transaction) => {
    await takeLearningLock(transaction);
    const features: Record<string, unknown> = {
      agent: input.agentType,
      difficulty: input.difficulty,
      custody_test_id: input.custodyTestId,
      score: input.score,
    };
    const outcome = input.passed ? 'passed' : 'failed';
    const [event] = await transaction
      .insert(learningEvents)
      .values({
        agentType: input.agentType,
        kind: 'custody',
        outcome,
        features,
        xpDelta: eventXp({ kind: 'custody', outcome, features }),
        ...(input.at ? { createdAt: input.at } : {}),
      })
      .returning();
    await writeAgentProgress(transaction, event!.agentType, [event!], 'stored');
    return event!;
  });
}

/** The scores proposals had when they were reviewed, against their verdicts: the most recent ones. */
export async function prequentialQuality(orm: Orm, window = QUALITY_WINDOW): Promise<ModelQuality> {
  const rows = await orm
    .select({ score: learningEvents.predictedScore, outcome: learningEvents.outcome })
    .from(learningEvents)
    .where(and(eq(learningEvents.kind, 'verdict'), isNotNull(learningEvents.predictedScore)))
    .orderBy(desc(learningEvents.id))
    .limit(window);
  return evaluate(
    rows.map((row) => row.score!),
    rows.map((row) => (row.outcome === 'accepted' ? 1 : 0)),
    'prequential',
  );
}

/**
 * One SGD step of the newest model on one verdict (creating version 1 on the first verdict ever). A stored
 * model of an older format (other features) cannot take the step: a new version is trained on every
 * stored verdict instead, this one included.
 */
async function learnIncrementally(transaction: Orm, event: LearningEventRow): Promise<void> {
  const row = await latestModelRow(transaction);
  const current = row && parseModel(row.weights);
  if (row && !current) {
    const verdicts = await transaction
      .select({ features: learningEvents.features, outcome: learningEvents.outcome })
      .from(learningEvents)
      .where(eq(learningEvents.kind, 'verdict'))
      .orderBy(asc(learningEvents.id));
    const rebuilt = train(
      verdicts.map((verdict) => ({
        features: verdict.features as unknown as ProposalFeatures,
        label: verdict.outcome === 'accepted' ? 1 : 0,
      })),
    );
    await transaction.insert(learningModels).values({
      kind: 'acceptance',
      version: row.version + 1,
      weights: rebuilt as unknown as Record<string, unknown>,
      trainedOn: verdicts.length,
    });
    return;
  }
  const model = current || emptyModel();
  learn(model, {
    features: event.features as unknown as ProposalFeatures,
    label: event.outcome === 'accepted' ? 1 : 0,
  });
  // The version's metrics stay those of its full retrain (held out); the recent scores' quality is
  // measured when asked for (prequentialQuality).
  const weights = model as unknown as Record<string, unknown>;
  if (row) {
    await transaction
      .update(learningModels)
      .set({ weights, trainedOn: row.trainedOn + 1, updatedAt: sql`now()` })
      .where(eq(learningModels.id, row.id));
  } else {
    await transaction.insert(learningModels).values({ kind: 'acceptance', version: 1, weights, trainedOn: 1 });
  }
}

/**
 * A proposal transition and its learning event in one transaction (the review and apply hooks): the
 * event exists exactly when the state change committed.
 */
export async function transitionWithLearning(
  orm: Orm,
  proposalId: string,
  request: TransitionRequest,
  learning: { kind: 'verdict' | 'apply'; at?: Date | undefined },
): Promise<Proposal> {
  return orm.transaction(async (transaction) => {
    const proposal = await transitionProposal(transaction, proposalId, request);
    await recordLearningEvent(transaction, proposal, { kind: learning.kind, reason: request.reason, at: learning.at });
    return proposal;
  });
}

/**
 * After a verdict committed: every proposal awaiting review gets the updated model's score. Scores are
 * derived data that each later model update (and POST /learning/trigger) rewrites, so a failure here is
 * not the verdict's: it is left for the next update rather than failing a committed review.
 */
export async function refreshScoresAfterVerdict(orm: Orm): Promise<void> {
  try {
    await rescoreProposals(orm);
  } catch {
    // see above: the next model update rewrites every score
  }
}

/**
 * Sandbox's hook, called once its verdict is stored on the proposal: the test outcome becomes a learning
 * event (exactly once) and the proposal's score is brought up to date with its test verdict.
 */
export async function recordTestOutcome(orm: Orm, proposal: Proposal): Promise<void> {
  await recordLearningEvent(orm, proposal, { kind: 'test' });
  await rescoreProposals(orm, [proposal.id]);
}
