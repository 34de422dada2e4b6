import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import { descendants, isFalse, stringValue } from './ast.js';
import { constantValue } from './constant-values.js';
import { dictionaryPairs, match, pythonRule } from './support.js';

/** python-jose's readers that skip verification (PyJWT's `get_unverified_header` is for choosing the key). */
const UNVERIFIED_READS = new Set(['jose.jwt.get_unverified_claims', 'jwt.get_unverified_claims']);

export const jwtMisuse = pythonRule({
  id: 'py.jwt-verification-disabled',
  issueType: 'jwt_misuse',
  cwe: 'CWE-347',
  severity: 'high',
  message: 'JWT accepted without verifying its signature: anyone can forge tokens.',
  remediation:
    'Verify the signature with an explicit algorithm list: `jwt.decode(token, key, algorithms=["HS256"])`; never allow `none`.',
  check(_context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    const verifies = calls.some(
      (parts) => /^(jwt|jose\.jwt)\.decode$/.test(parts.name ?? '') && parts.positional.length > 1,
    );
    for (const parts of calls) {
      if (parts.name && UNVERIFIED_READS.has(parts.name)) {
        if (!verifies)
          matches.push(
            match(parts.call, 'medium', {
              message: `\`${parts.name}\` reads the claims without checking the signature, and this file never verifies tokens.`,
            }),
          );
        continue;
      }
      if (!parts.name || !/^(jwt|jose\.jwt)\.(decode|encode)$/.test(parts.name)) continue;
      // `options={…}` inline or through the variable it names: `opts = {"verify_signature": False}`
      let optionsNode = parts.keywords.get('options');
      if (optionsNode?.type === 'identifier') optionsNode = taint.bindingAt(optionsNode.text, optionsNode)?.value;
      const options = dictionaryPairs(optionsNode);
      const unsigned =
        options.some(
          (pair) =>
            /^verify_(signature|exp|aud|iss)$/.test(stringValue(pair.key) ?? '') &&
            isFalse(constantValue(pair.value, taint)) &&
            stringValue(pair.key) === 'verify_signature',
        ) || isFalse(constantValue(parts.keywords.get('verify'), taint));
      const algorithms = [parts.keywords.get('algorithms'), parts.keywords.get('algorithm')].filter(
        (n): n is Node => !!n,
      );
      const none = algorithms.some((node) =>
        [node, ...descendants(node, (n) => n.type === 'string')].some((n) => stringValue(n)?.toLowerCase() === 'none'),
      );
      if (unsigned || none) matches.push(match(parts.call, 'high'));
    }
    return matches;
  },
});
