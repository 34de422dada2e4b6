import { withModels } from '../models/with-models.js';
import type { Rule } from '../rule.js';
import { CONFIGURATION_RULES } from './configuration.js';
import { INJECTION_RULES } from './injection.js';
import { hardCodedSecretKey } from './secret-keys.js';

/** Every Python rule: taint-based injection sinks and insecure configuration/API use. */
export const PYTHON_RULES: Rule[] = withModels([...INJECTION_RULES, ...CONFIGURATION_RULES, hardCodedSecretKey]);

export { TaintAnalysis } from './taint.js';
