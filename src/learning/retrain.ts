import type { Orm } from '../db/database.js';
import type { Proposal } from '../proposals/transition-store.js';
import { eventXp, recomputeAgentProgress } from './agent-progress.js';
import { evaluate, type ModelQuality } from './evaluation.js';
import type { ProposalFeatures } from '../analysis/acceptance/proposal-features.js';
import { extractFeatures } from './features.js';
import { takeLearningLock } from './learning-lock.js';
import { outcomeOf } from './learning-event-store.js';
import { predict, train, type Example } from '../analysis/acceptance/model.js';
import { rescoreProposals } from './model-store.js';
import {
  insertLearningEventOnce,
  learningAgentTypes,
  proposalsMissingEvents,
  storeNextAcceptanceModel,
  verdictEvents,
} from './retrain-queries.js';
import { evaluateAllSuppressions } from './suppression-store.js';

export const HOLDOUT_SHARE = 0.2;
export const HOLDOUT_MAX = 100;

export interface RetrainResult {
  model: { version: number; trained_on: number; trained_at: string; metrics: ModelQuality | null } | null;
  backfilled_events: number;
  suppressed: number;
  agents_recomputed: string[];
  rescored_proposals: number;
  duration_ms: number;
}

/**
 * Proposals that have a verdict, a test result or an apply outcome but no learning event for it (reviewed
 * before learning existed, or a hook that failed after its state change): their events are stored now,
 * with the features the proposal has today.
 */
async function backfillEvents(transaction: Orm): Promise<number> {
  const candidates = await proposalsMissingEvents(transaction);
  let stored = 0;
  for (const proposal of candidates) {
    for (const kind of ['test', 'verdict', 'apply'] as const) {
      // applied and apply-failed proposals were accepted first
      const asReviewed: Proposal =
        kind === 'verdict' && (proposal.status === 'applied' || proposal.status === 'apply-failed')
          ? { ...proposal, status: 'accepted' }
          : proposal;
      const outcome = outcomeOf(kind, asReviewed);
      if (outcome === undefined) continue;
      const features = extractFeatures(proposal) as unknown as Record<string, unknown>;
      stored += await insertLearningEventOnce(transaction, {
        proposalId: proposal.id,
        repositoryId: proposal.repositoryId,
        agentType: proposal.aiType,
        ruleId: proposal.ruleId,
        kind,
        outcome,
        reason: kind === 'verdict' ? proposal.reviewReason : null,
        features,
        predictedScore: null,
        xpDelta: eventXp({ kind, outcome, features }),
      });
    }
  }
  return stored;
}

/**
 * The full learning cycle (POST /learning/trigger): stores events the hooks missed, measures a model
 * trained on all but the most recent verdicts against those (held out: 20%, at most 100), trains the new
 * model version on every verdict, re-evaluates suppressions, recomputes every agent's XP and record from
 * its history, and rescores the proposals awaiting review. Deterministic for a given seed.
 */
export async function runLearningCycle(orm: Orm, options: { now: Date; seed?: number }): Promise<RetrainResult> {
  const started = performance.now();
  const outcome = await orm.transaction(async (transaction) => {
    await takeLearningLock(transaction);
    const backfilled = await backfillEvents(transaction);
    const verdicts = await verdictEvents(transaction);
    const examples: Example[] = verdicts.map((row) => ({
      features: row.features as unknown as ProposalFeatures,
      label: row.outcome === 'accepted' ? 1 : 0,
    }));
    let model: RetrainResult['model'] = null;
    if (examples.length > 0) {
      const held = Math.min(HOLDOUT_MAX, Math.floor(examples.length * HOLDOUT_SHARE));
      let metrics: ModelQuality | null = null;
      if (held > 0) {
        const older = train(examples.slice(0, examples.length - held), { seed: options.seed });
        const recent = examples.slice(examples.length - held);
        metrics = evaluate(
          recent.map((example) => predict(older, example.features)),
          recent.map((example) => example.label),
          'holdout',
        );
      }
      // A refit scheduled by an earlier verdict (refit.ts) does not replace this version.
      const weights = train(examples, { seed: options.seed });
      weights.refitThrough = verdicts.at(-1)!.id;
      const stored = await storeNextAcceptanceModel(transaction, {
        weights: weights as unknown as Record<string, unknown>,
        metrics: metrics as unknown as Record<string, unknown> | null,
        trainedOn: examples.length,
      });
      model = {
        version: stored.version,
        trained_on: stored.trainedOn,
        trained_at: stored.updatedAt.toISOString(),
        metrics,
      };
    }
    const suppressed = await evaluateAllSuppressions(transaction, options.now);
    const agentTypes = await learningAgentTypes(transaction);
    for (const agentType of agentTypes) await recomputeAgentProgress(transaction, agentType);
    return { model, backfilled, suppressed: suppressed.length, agentTypes };
  });
  // Outside the learning lock: rescoring skips rows a transition holds instead of waiting for them.
  const rescored = await rescoreProposals(orm);
  return {
    model: outcome.model,
    backfilled_events: outcome.backfilled,
    suppressed: outcome.suppressed,
    agents_recomputed: outcome.agentTypes.sort(),
    rescored_proposals: rescored,
    duration_ms: Math.round(performance.now() - started),
  };
}
