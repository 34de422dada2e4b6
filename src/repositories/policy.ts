import { z } from 'zod';
import type { RepositoryPolicy } from '../db/schema.js';
import { branchNameSchema } from './branch-name.js';

export const DEFAULT_REPOSITORY_POLICY: RepositoryPolicy = {
  branch_mode: 'per_proposal',
  target_branch: null,
  pull_requests: false,
  auto_apply: false,
  auto_apply_min_confidence: 0.9,
  auto_apply_min_level: 1,
  auto_apply_min_acceptance: 0.5,
  proposal_ttl_seconds: 14 * 24 * 3600,
  guardian_ignore: { rules: [], paths: [] },
  benchmark_command: null,
};

const policyFields = {
  branch_mode: z
    .enum(['per_proposal', 'target'])
    .describe(
      '`per_proposal`: each applied proposal gets its own branch `lvlup/<short id>`; `target`: commits go to `target_branch`',
    ),
  target_branch: branchNameSchema
    .nullable()
    .describe('the branch `target` mode commits to; null means the default branch'),
  pull_requests: z.boolean().describe('push applied branches and open a pull request (GitHub remotes)'),
  auto_apply: z.boolean().describe('let proposals that pass every gate be applied without a reviewer'),
  auto_apply_min_confidence: z.number().min(0).max(1).describe('lowest proposal confidence auto-apply accepts'),
  auto_apply_min_level: z
    .number()
    .int()
    .min(1)
    .max(10)
    .describe(
      'lowest level (from XP) of the proposing agent auto-apply accepts; the agent must also be custody-eligible',
    ),
  auto_apply_min_acceptance: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe(
      'lowest learned acceptance score auto-apply accepts (an unscored proposal fails it); null turns this gate off',
    ),
  proposal_ttl_seconds: z
    .number()
    .int()
    .min(60)
    .max(10 * 365 * 24 * 3600)
    .nullable()
    .describe('open proposals older than this expire; null keeps them'),
  guardian_ignore: z
    .strictObject({
      rules: z.array(z.string().min(1).max(200)).max(500).describe('Guardian rule ids its scans do not run'),
      paths: z
        .array(z.string().min(1).max(500))
        .max(500)
        .describe('path globs its scans leave out: `*` and `?` within a folder name, `**` across folders'),
    })
    .describe("what Guardian's repository scans leave out; a change replaces the whole list"),
  benchmark_command: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(2000)
    .nullable()
    .describe(
      'a command (run with /bin/sh -c in the sandbox) whose wall time measures performance claims: each ' +
        'performance proposal of Imperium gets a Sandbox experiment timing it on the base and with the change; ' +
        'null: such claims stay unmeasured',
    ),
};

export const repositoryPolicySchema = z.strictObject(policyFields).meta({ id: 'RepositoryPolicy' });

/** A change to some fields of a policy; the others keep their value. */
export const repositoryPolicyPatchSchema = z
  .strictObject(policyFields)
  .partial()
  .meta({ id: 'RepositoryPolicyChange' });

export type RepositoryPolicyPatch = z.infer<typeof repositoryPolicyPatchSchema>;

/** The stored policy with defaults for anything it lacks (policies stored before a field existed). */
export function effectivePolicy(stored: Partial<RepositoryPolicy> | null | undefined): RepositoryPolicy {
  return { ...DEFAULT_REPOSITORY_POLICY, ...stored };
}

export function mergePolicy(
  stored: Partial<RepositoryPolicy> | null | undefined,
  patch: RepositoryPolicyPatch | undefined,
): RepositoryPolicy {
  return { ...effectivePolicy(stored), ...patch };
}
