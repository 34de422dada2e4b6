import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { expireProposals } from './expiry-queries.js';
import { publishProposalEvent } from './proposal-events.js';

/**
 * Expires due proposals once a minute in this process. Every process may run it: each expiry is a
 * conditional transition, so a proposal two processes find due at once is expired (and announced) once.
 */
export function startExpirySweep(
  database: Database,
  events: EventBus,
  options: { intervalMs?: number; now?: () => Date; onError?: (error: unknown) => void } = {},
): { stop(): void } {
  const now = options.now ?? (() => new Date());
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    expireProposals(database.orm, now())
      .then(async (expired) => {
        for (const proposal of expired) {
          await publishProposalEvent(events, 'expired', proposal, {
            error: (details) => options.onError?.((details as { err?: unknown }).err),
          });
        }
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
