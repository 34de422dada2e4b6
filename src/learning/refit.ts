import type { Orm } from '../db/database.js';
import type { ProposalFeatures } from '../analysis/acceptance/proposal-features.js';
import { takeLearningLock } from './learning-lock.js';
import { parseModel, train, type AcceptanceModel, type Example } from '../analysis/acceptance/model.js';
import { latestModelRow, rescoreProposals } from './model-store.js';
import { hasVerdictAfter, replaceNewestModel, verdictEvents } from './retrain-queries.js';

export interface RefitOutcome {
  /** false when a verdict committed meanwhile, or the stored model already came from these verdicts */
  readonly stored: boolean;
  readonly verdicts: number;
}

/** Fits the model on the verdicts: in a server, on a worker thread of the compute pool. */
export type FitModel = (examples: readonly Example[]) => Promise<AcceptanceModel>;

/** Fits on the caller's thread. */
export const fitInline: FitModel = async (examples) => train(examples);

/**
 * Fits the acceptance model from every stored verdict and, if no verdict committed meanwhile and no refit
 * over the same verdicts was stored (by another process), replaces the newest version's weights with it —
 * one update under the learning lock, so a reader sees the old model or the new one. The verdicts are
 * read and the model fitted (by `fit`) outside any transaction, so no verdict waits for it. Then the
 * proposals awaiting review are rescored.
 */
export async function refitModel(orm: Orm, fit: FitModel = fitInline): Promise<RefitOutcome> {
  const verdicts = await verdictEvents(orm);
  const newest = verdicts.at(-1);
  if (!newest) return { stored: false, verdicts: 0 };
  const fitted = await fit(
    verdicts.map((verdict) => ({
      features: verdict.features as unknown as ProposalFeatures,
      label: verdict.outcome === 'accepted' ? 1 : 0,
    })),
  );
  fitted.refitThrough = newest.id;
  const stored = await orm.transaction(async (transaction) => {
    await takeLearningLock(transaction);
    // A verdict committed since the verdicts were read: its own refit (a rerun of this one, or the one
    // its process scheduled) covers it; storing this one would set the model back behind that verdict.
    if (await hasVerdictAfter(transaction, newest.id)) return false;
    const row = await latestModelRow(transaction);
    const current = row ? parseModel(row.weights) : undefined;
    if ((current?.refitThrough ?? 0) >= newest.id) return false;
    const weights = fitted as unknown as Record<string, unknown>;
    await replaceNewestModel(transaction, row?.id, weights, verdicts.length);
    return true;
  });
  if (stored) await rescoreProposals(orm);
  return { stored, verdicts: verdicts.length };
}

interface Pending {
  /** a verdict came in after the running refit read the verdicts: it runs once more */
  dirty: boolean;
  readonly settled: Promise<void>;
}

/** Per database: the refit running in this process, if any. */
const pending = new WeakMap<Orm, Pending>();

export interface RefitServices {
  readonly fit: FitModel;
  /** a failed refit: the model is derived data and the next verdict refits it, so it is reported, not thrown */
  readonly onError: (error: unknown) => void;
}

/**
 * Asks for a refit after a verdict committed, off the request's path: it starts once the current I/O is
 * done (the response goes out first), and its fit runs where `services.fit` runs it (the compute pool's
 * threads in a server). At most one refit runs per process and database; a verdict arriving while one
 * runs marks it dirty, and it runs once more when it ends, however many verdicts came. Failures go to
 * `services.onError`. Answers the promise of the refits settling (also `refitSettled`).
 */
export function scheduleRefit(orm: Orm, services: RefitServices): Promise<void> {
  const running = pending.get(orm);
  if (running) {
    running.dirty = true;
    return running.settled;
  }
  const entry: { dirty: boolean; settled?: Promise<void> } = { dirty: true };
  const loop = async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (entry.dirty) {
        entry.dirty = false;
        try {
          await refitModel(orm, services.fit);
        } catch (error) {
          services.onError(error);
        }
      }
    } finally {
      pending.delete(orm);
    }
  };
  entry.settled = loop();
  pending.set(orm, entry as Pending);
  return entry.settled;
}

/** Resolves when no refit is running or due in this process for this database (at once when none is). */
export async function refitSettled(orm: Orm): Promise<void> {
  await pending.get(orm)?.settled;
}
