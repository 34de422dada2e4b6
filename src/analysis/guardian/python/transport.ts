import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import { argument, children, leadingConstant, stringValue } from './ast.js';
import { httpUrl } from './http-requests.js';
import { match, pythonRule } from './support.js';
import type { TaintAnalysis } from './taint.js';

const LOCAL_HOST = /^http:\/\/(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\])(?=[:/?#]|$)/i;

/** Clients of protocols without encryption, next to their TLS variants (`ftplib.FTP_TLS`, `smtplib.SMTP_SSL`). */
const CLEARTEXT_CLIENTS: Readonly<Record<string, string>> = {
  'ftplib.FTP': 'FTP sends credentials and files unencrypted; use `ftplib.FTP_TLS` (and `prot_p()`) or SFTP.',
  'telnetlib.Telnet': 'Telnet sends credentials and commands unencrypted; use SSH (e.g. paramiko).',
};

/** The leading constant of a URL, through module-level constants: `f"{API}/x"` with `API = "http://…"`. */
function urlPrefix(url: Node | undefined, taint: TaintAnalysis): string | undefined {
  if (!url) return undefined;
  if (url.type === 'identifier') {
    const binding = taint.bindingAt(url.text, url);
    return binding?.value ? urlPrefix(binding.value, taint) : undefined;
  }
  const first = url.type === 'string' ? children(url).find((c) => c.type !== 'string_start') : undefined;
  if (first?.type === 'interpolation') {
    const expression = first.childForFieldName('expression');
    if (expression?.type === 'identifier') {
      const binding = taint.bindingAt(expression.text, expression);
      const head = binding?.value ? stringValue(binding.value) : undefined;
      if (head !== undefined) return head + (leadingConstant(url) ?? '');
    }
  }
  if (url.type === 'binary_operator') {
    const left = url.childForFieldName('left');
    if (left?.type === 'identifier') return urlPrefix(left, taint);
  }
  return leadingConstant(url);
}

export const insecureTransport = pythonRule({
  id: 'py.insecure-transport',
  issueType: 'insecure_transport',
  cwe: 'CWE-319',
  severity: 'medium',
  message: 'Request over plain HTTP: data and credentials travel unencrypted.',
  remediation: 'Use an `https://` URL, and the TLS variants of other protocols (FTP_TLS, SSH instead of Telnet).',
  check(_context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      const cleartext =
        parts.name && Object.hasOwn(CLEARTEXT_CLIENTS, parts.name) ? CLEARTEXT_CLIENTS[parts.name] : undefined;
      if (cleartext) {
        matches.push(match(parts.call, 'high', { message: cleartext }));
        continue;
      }
      if (parts.name === 'http.client.HTTPConnection') {
        const host = stringValue(argument(parts, 0, 'host'));
        if (host && !LOCAL_HOST.test(`http://${host}`))
          matches.push(
            match(parts.call, 'medium', { message: '`HTTPConnection` talks plain HTTP; use `HTTPSConnection`.' }),
          );
        continue;
      }
      const url = httpUrl(parts, taint);
      const prefix = urlPrefix(url, taint);
      if (url && prefix && /^http:\/\/[^/]/i.test(prefix) && !LOCAL_HOST.test(prefix))
        matches.push(match(url, 'medium'));
    }
    return matches;
  },
});
