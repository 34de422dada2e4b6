import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { requestUrl, fixedHost, trustedHead } from './urls.js';
import { callsIn, defineRule, sinkConfidence } from './util.js';

export const ssrf: Rule = defineRule({
  id: 'js.ssrf',
  issueType: 'ssrf',
  cwe: 'CWE-918',
  severity: 'high',
  message:
    'Outgoing request to a URL built from request data: an attacker can make the server reach internal services.',
  remediation:
    'Allow-list the hosts the server may contact, build URLs from a constant base with `new URL(path, BASE)`, and block private and link-local addresses.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const url = requestUrl(call);
      if (!url || fixedHost(taint.resolve(url)) || trustedHead(taint.resolve(url), taint, root)) continue;
      const confidence = sinkConfidence(url, taint);
      if (confidence) matches.push({ node: call, confidence });
    }
    return matches;
  },
});
