import { z } from 'zod';
import { repositoryInput } from '../repositories/repository-inventory.js';

/** What an Imperium task takes: the repositories to run on and whether to run the learning cycle. */
export const imperiumInput = repositoryInput.extend({
  cycle: z
    .boolean()
    .optional()
    .describe(
      'run the learning cycle (Guardian scan → Sandbox runs → collection and metrics → proposals → notification) ' +
        'instead of a repository run; default: true for scheduled runs, false otherwise',
    ),
});

export type ImperiumInput = z.infer<typeof imperiumInput>;
