import { includesRule } from './javascript/includes.js';
import { returnAwaitRule } from './javascript/return-await.js';
import {
  loopInvariantConstructionRule,
  sequentialAwaitsRule,
  structuredCloneRule,
  syncFsInAsyncRule,
} from './javascript/suggestions.js';
import { unreachableRule } from './javascript/unreachable.js';
import { unusedImportsRule } from './javascript/unused-imports.js';
import { unusedVariablesRule } from './javascript/unused-variables.js';
import { setMembershipRule } from './python/set-membership.js';
import { stringJoinRule } from './python/string-join.js';
import { pythonUnreachableRule } from './python/unreachable.js';
import { pythonUnusedImportsRule } from './python/unused-imports.js';
import type { ImperiumRule } from './rule.js';

/** Every rule of Imperium's deterministic engine; docs/imperium.md describes each. */
export const IMPERIUM_RULES: readonly ImperiumRule[] = [
  includesRule,
  returnAwaitRule,
  unusedImportsRule,
  unusedVariablesRule,
  unreachableRule,
  structuredCloneRule,
  syncFsInAsyncRule,
  sequentialAwaitsRule,
  loopInvariantConstructionRule,
  setMembershipRule,
  stringJoinRule,
  pythonUnusedImportsRule,
  pythonUnreachableRule,
];
