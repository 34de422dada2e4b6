import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { unwrap } from './syntax.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleNames, propertyOf } from './util.js';

/**
 * libxml2 bindings (libxmljs, libxmljs2) parse with the options of libxml2: `noent` substitutes entities,
 * external ones included, and `dtdload`/`dtdvalid` fetch external DTDs. Without them, and in parsers that
 * never resolve external entities (the browser `DOMParser`, @xmldom/xmldom, xml2js/sax, fast-xml-parser),
 * there is no XXE.
 */
const LIBXML_PARSE = new Set([
  'parseXml',
  'parseXmlString',
  'parseXmlAsync',
  'parseHtml',
  'parseHtmlString',
  'fromXml',
]);
const ENTITY_OPTIONS = ['noent', 'dtdload', 'dtdvalid', 'dtdattr'];

/** Whether an option is set to something other than `false`/`0`/`null`/`undefined`. */
function enabled(value: Node | undefined): boolean {
  if (!value) return false;
  const target = unwrap(value);
  return !['false', 'null', 'undefined'].includes(target.type) && target.text !== '0';
}

export const xxe: Rule = defineRule({
  id: 'js.xxe',
  issueType: 'xxe',
  cwe: 'CWE-611',
  severity: 'high',
  message:
    'XML parsed with external entity substitution (`noent`) or external DTD loading: a document can read local files or reach internal hosts.',
  remediation:
    'Parse without `noent`, `dtdload` and `dtdvalid` (libxmljs defaults) and keep `nonet: true`; or use a parser that never resolves external entities.',
  check({ root }, taint) {
    const libxml = moduleNames(root, ['libxmljs', 'libxmljs2']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const { object, method } = calleeParts(call);
      if (!LIBXML_PARSE.has(method)) continue;
      // `libxmljs.parseXml`, an imported `parseXml`, or `libxmljs.Document.fromXml`
      const fromLibxml = object ? libxml.has(object.split('.')[0]!) : libxml.has(method);
      const args = callArguments(call);
      // the options object, written in the call or bound to a variable before it
      const options = args
        .slice(1)
        .map((arg) => taint.resolve(arg))
        .find((arg) => arg.type === 'object');
      const enabling = ENTITY_OPTIONS.filter((key) => enabled(propertyOf(options, key)));
      if (enabling.length === 0 || (!fromLibxml && libxml.size > 0)) continue;
      const data = args[0];
      const level = data ? taint.level(data) : 'unknown';
      if (level === 'safe' && data?.type === 'string') continue;
      matches.push({
        node: call,
        confidence: level === 'tainted' ? 'high' : 'medium',
        message: `XML parsed with \`${enabling.join('`, `')}\`: external entities or DTDs are resolved, so a document can read local files or reach internal hosts.`,
      });
    }
    return matches;
  },
});

export const XML_RULES: readonly Rule[] = [xxe];
