import type { Rule } from '../rule.js';
import { codeInjection } from './code-injection.js';
import { insecureDeserialization } from './deserialization.js';
import { nosqlInjection } from './nosql-injection.js';
import { openRedirect } from './open-redirect.js';
import { pathTraversal } from './path-traversal.js';
import { sqlInjection } from './sql-injection.js';
import { ssrf } from './ssrf.js';
import { xss } from './xss.js';

export const INJECTION_RULES: readonly Rule[] = [
  sqlInjection,
  nosqlInjection,
  codeInjection,
  pathTraversal,
  ssrf,
  xss,
  openRedirect,
  insecureDeserialization,
];
