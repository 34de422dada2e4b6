import { withModels } from '../models/with-models.js';
import type { Rule } from '../rule.js';
import { commandInjection } from './command.js';
import { CONFIG_RULES } from './config.js';
import { INJECTION_RULES } from './injection.js';
import { hardCodedSecretKey } from './secret-keys.js';
import { XML_RULES } from './xml.js';

export { TaintAnalysis, taintOf, type TaintLevel } from './taint.js';

/** Every rule for JavaScript, TypeScript and TSX. */
export const JAVASCRIPT_RULES: Rule[] = withModels([
  ...INJECTION_RULES,
  commandInjection,
  ...XML_RULES,
  ...CONFIG_RULES,
  hardCodedSecretKey,
]);
