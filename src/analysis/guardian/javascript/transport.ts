import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { leadingText, requestUrl } from './urls.js';
import { dottedName, stringValue, unwrap } from './syntax.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleNames, propertyOf } from './util.js';

export const disabledTls: Rule = defineRule({
  id: 'js.tls-verification-disabled',
  issueType: 'tls_verification_disabled',
  cwe: 'CWE-295',
  severity: 'high',
  message: 'TLS certificate verification is disabled: connections can be intercepted (man in the middle).',
  remediation:
    'Keep certificate verification on; to trust a private CA, pass it with the `ca` option or `NODE_EXTRA_CA_CERTS`.',
  check({ root }) {
    const matches: RuleMatch[] = [];
    for (const pair of root.descendantsOfType('pair')) {
      const key = pair.childForFieldName('key')?.text.replace(/['"]/g, '');
      const value = pair.childForFieldName('value');
      if ((key === 'rejectUnauthorized' || key === 'strictSSL') && value?.type === 'false') {
        matches.push({
          node: pair,
          confidence: 'high',
          fix: {
            description: `Set \`${key}: true\``,
            edits: [{ start: value.startIndex, end: value.endIndex, replacement: 'true' }],
          },
        });
      }
    }
    for (const assignment of root.descendantsOfType('assignment_expression')) {
      const left = dottedName(assignment.childForFieldName('left'));
      const right = assignment.childForFieldName('right');
      if (
        left === 'process.env.NODE_TLS_REJECT_UNAUTHORIZED' &&
        right &&
        ['0', 'false', ''].includes(stringValue(right) ?? right.text)
      ) {
        matches.push({ node: assignment, confidence: 'high' });
      }
    }
    return matches;
  },
});

const LOCAL_HOST =
  /^http:\/\/(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|[^/:]+\.(local|localhost|internal|test))([:/?#]|$)/i;

/** Client factories whose options fix the base URL of every request: axios, got, ky, ofetch. */
const BASE_URL_OPTIONS: Readonly<Record<string, string>> = {
  create: 'baseURL',
  extend: 'prefixUrl',
};

export const insecureTransport: Rule = defineRule({
  id: 'js.insecure-transport',
  issueType: 'insecure_transport',
  cwe: 'CWE-319',
  severity: 'medium',
  message: 'Request sent over plain HTTP: data can be read and changed in transit.',
  remediation: 'Use `https://` (and `wss://`) URLs for every non-local connection, and serve over HTTPS.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    const http = moduleNames(root, ['http']);
    // a plain server next to an HTTPS one, or one that redirects, is the usual redirect-to-HTTPS listener
    const https = moduleNames(root, ['https', 'http2']);
    const servesHttps = callsIn(root).some((call) => {
      const { object, method } = calleeParts(call);
      return (
        ((method === 'createServer' || method === 'createSecureServer') && https.has(object)) ||
        method === 'redirect' ||
        (method === 'writeHead' && [301, 302, 307, 308].includes(Number(callArguments(call)[0]?.text)))
      );
    });
    const plain = (url: Node, scheme = 'http://') => {
      const head = leadingText(url, taint);
      return (
        head !== undefined &&
        head.toLowerCase().startsWith(scheme) &&
        !LOCAL_HOST.test(`http://${head.slice(scheme.length)}`)
      );
    };
    for (const call of callsIn(root)) {
      const url = requestUrl(call);
      const { full, object, method } = calleeParts(call);
      if (url) {
        // `http.request({ hostname: 'api.example.com' })`: the http module never encrypts
        const host =
          http.has(object) && unwrap(callArguments(call)[0]!).type === 'object' ? stringValue(url) : undefined;
        if (plain(url) || (host !== undefined && !LOCAL_HOST.test(`http://${host}`)))
          matches.push({ node: url, confidence: 'high' });
        continue;
      }
      const args = callArguments(call);
      const option = Object.hasOwn(BASE_URL_OPTIONS, method) ? BASE_URL_OPTIONS[method] : undefined;
      if (option && ['axios', 'got', 'ky'].includes(object)) {
        const base = propertyOf(args[0], option) ?? propertyOf(args[0], 'prefixUrl');
        if (base && plain(base)) matches.push({ node: base, confidence: 'high' });
      } else if (call.type === 'new_expression' && (full === 'WebSocket' || full === 'ws.WebSocket')) {
        if (args[0] && plain(args[0], 'ws://')) matches.push({ node: args[0], confidence: 'high' });
      } else if (method === 'createServer' && http.has(object) && !servesHttps) {
        matches.push({
          node: call,
          confidence: 'low',
          severity: 'low',
          message: 'Plain HTTP server: unless TLS is terminated in front of it, traffic travels unencrypted.',
        });
      }
    }
    return matches;
  },
});
