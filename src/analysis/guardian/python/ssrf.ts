import { fixedOrigin, httpUrl } from './http-requests.js';
import { sinkRule, never } from './sink-rule.js';

export const ssrf = sinkRule({
  id: 'py.ssrf',
  issueType: 'ssrf',
  cwe: 'CWE-918',
  severity: 'high',
  message: 'Server-side request to a URL controlled by the client: internal services can be reached.',
  remediation:
    'Do not take the host from the request: choose it from an allow-list, or fix the origin (`https://api.example.com/…`) and put only validated values in the path.',
  kind: 'url',
  sink: (parts, taint) => [httpUrl(parts, taint)],
  reportUnknown: never,
  harmless: fixedOrigin,
});
