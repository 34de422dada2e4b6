import type { Rule } from '../rule.js';
import { codeInjection } from './code-injection.js';
import { commandInjection } from './command-injection.js';
import { nosqlInjection } from './nosql-injection.js';
import { openRedirect } from './open-redirect.js';
import { pathTraversal } from './path-traversal.js';
import { redos } from './redos.js';
import { sqlInjection } from './sql-injection.js';
import { ssrf } from './ssrf.js';
import { tarExtraction } from './tar-extraction.js';
import { xss } from './xss.js';

export const INJECTION_RULES: readonly Rule[] = [
  tarExtraction,
  sqlInjection,
  nosqlInjection,
  commandInjection,
  codeInjection,
  pathTraversal,
  ssrf,
  xss,
  openRedirect,
  redos,
];
