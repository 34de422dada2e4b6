import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleNames, propertyOf } from './util.js';

export const jwtMisuse: Rule = defineRule({
  id: 'js.jwt-misuse',
  issueType: 'jwt_misuse',
  cwe: 'CWE-347',
  severity: 'high',
  message: 'JWT signature is not verified properly.',
  remediation:
    'Verify tokens with `jwt.verify(token, key, { algorithms: ["RS256"] })` (the algorithms you issue); never accept `none` and never trust `jwt.decode` for authentication.',
  check({ root }) {
    const jwtNames = moduleNames(root, ['jsonwebtoken']);
    jwtNames.add('jwt');
    const verifies = callsIn(root).some((call) =>
      ['verify', 'jwtVerify', 'compactVerify', 'flattenedVerify', 'generalVerify'].includes(calleeParts(call).method),
    );
    const jose = moduleNames(root, ['jose']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const { object, method } = calleeParts(call);
      if (method === 'decodeJwt' && (object ? jose.has(object) : jose.has(method)) && !verifies) {
        matches.push({
          node: call,
          confidence: 'medium',
          message: '`decodeJwt` does not check the signature and this file never verifies tokens (`jwtVerify`).',
        });
        continue;
      }
      if (!jwtNames.has(object)) continue;
      const args = callArguments(call);
      if (method === 'verify' || method === 'sign') {
        const options = args[2] ?? (method === 'sign' ? args[2] : undefined);
        const algorithms = propertyOf(options, 'algorithms') ?? propertyOf(options, 'algorithm');
        if (algorithms && /['"]none['"]/i.test(algorithms.text)) {
          matches.push({ node: call, confidence: 'high', message: 'The `none` algorithm accepts unsigned tokens.' });
        } else if (method === 'verify' && !algorithms && /pub|cert|pem/i.test(args[1]?.text ?? '')) {
          matches.push({
            node: call,
            confidence: 'medium',
            message:
              '`jwt.verify` with a public key and no `algorithms` allows algorithm confusion (HS256 signed with the public key).',
          });
        }
      } else if (method === 'decode' && !verifies) {
        matches.push({
          node: call,
          confidence: 'medium',
          message: '`jwt.decode` does not check the signature and this file never verifies tokens.',
        });
      }
    }
    return matches;
  },
});
