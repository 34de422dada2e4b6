import { JAVASCRIPT_RULES } from './javascript/index.js';
import { PYTHON_RULES } from './python/index.js';
import type { Rule } from './rule.js';
import { SECRET_RULES } from './secrets/index.js';

/** Every rule Guardian runs; the analyzer picks those that apply to a file's language. */
export const GUARDIAN_RULES: readonly Rule[] = [...JAVASCRIPT_RULES, ...PYTHON_RULES, ...SECRET_RULES];
