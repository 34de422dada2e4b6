import type { EventBus } from '../../src/events/bus.js';

/** Something that tells its listeners that it may have changed; answers how to stop listening. */
export type ChangeSource = (listener: () => void) => () => void;

/** The changes an event bus announces: every event, delivered once the change it describes is committed. */
export const busChanges =
  (events: EventBus): ChangeSource =>
  (listener) =>
    events.subscribe(() => listener());

/**
 * Waits until `check` answers a value: checks now, and again after each change `source` announces (so the
 * check that follows the announcement of the awaited change sees it). A change announced while a check is
 * under way makes it check again. The deadline only fails a test whose change never comes; it is long
 * because a loaded machine can take many seconds for what takes milliseconds alone.
 */
export async function untilChanged<T>(
  source: ChangeSource,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  let changes = 0;
  let wake: (() => void) | undefined;
  const stop = source(() => {
    changes += 1;
    wake?.();
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), timeoutMs)));
  try {
    for (;;) {
      const seen = changes;
      const value = await check();
      if (value !== undefined) return value;
      if (changes !== seen) continue;
      const next = new Promise<'change'>((resolve) => (wake = () => resolve('change')));
      if ((await Promise.race([next, deadline])) === 'deadline') throw new Error('condition not met in time');
      wake = undefined;
    }
  } finally {
    stop();
    clearTimeout(timer);
  }
}

/** `untilChanged` on the events of a bus. */
export const untilEvent = <T>(events: EventBus, check: () => Promise<T | undefined>, timeoutMs?: number) =>
  untilChanged(busChanges(events), check, timeoutMs);
