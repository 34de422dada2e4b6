import type { Orm } from '../db/database.js';
import { findProposal } from '../proposals/proposal-store.js';
import { findRepository } from '../repositories/repository-store.js';
import { findExperiment } from '../sandbox/experiment-store.js';

/** A task input field that names a stored object, and how to find it. */
const REFERENCES = [
  { field: 'repository_id', kind: 'repository', exists: findRepository },
  { field: 'proposal_id', kind: 'proposal', exists: findProposal },
  { field: 'experiment_id', kind: 'experiment', exists: findExperiment },
] as const;

export interface MissingReference {
  /** the input field, e.g. `repository_id` */
  readonly field: string;
  readonly kind: (typeof REFERENCES)[number]['kind'];
  readonly id: string;
}

/**
 * The first object a task's (schema-valid) input names that does not exist, or undefined when all do.
 * A person asking for a run of an unknown repository is told at once, not by a task that fails later.
 */
export async function findMissingReference(
  orm: Orm,
  input: Readonly<Record<string, unknown>>,
): Promise<MissingReference | undefined> {
  for (const reference of REFERENCES) {
    const id = input[reference.field];
    if (typeof id !== 'string') continue;
    if (!(await reference.exists(orm, id))) return { field: reference.field, kind: reference.kind, id };
  }
  return undefined;
}
