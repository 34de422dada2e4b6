import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { stringValue, unwrap } from './syntax.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleNames, propertyOf } from './util.js';

export const permissiveCors: Rule = defineRule({
  id: 'js.permissive-cors',
  issueType: 'permissive_cors',
  cwe: 'CWE-942',
  severity: 'medium',
  message: 'CORS policy lets any origin read responses.',
  remediation:
    'Allow only the origins you trust (an explicit list); never combine a wildcard or reflected origin with credentials.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    const corsPlugins = moduleNames(root, ['@fastify/cors', 'fastify-cors', 'cors', '@koa/cors', 'koa2-cors']);
    for (const call of callsIn(root)) {
      const { full, method } = calleeParts(call);
      const args = callArguments(call);
      const registered =
        method === 'register' && args[0] !== undefined && corsPlugins.has(unwrap(args[0]).text) ? args[1] : undefined;
      // NestJS: `app.enableCors(options)`, `NestFactory.create(AppModule, { cors: options })`
      const nest =
        method === 'enableCors'
          ? (args[0] ?? null)
          : full === 'NestFactory.create'
            ? propertyOf(args[1], 'cors')
            : undefined;
      if (nest !== undefined && (nest === null || unwrap(nest).type === 'true')) {
        matches.push({
          node: call,
          confidence: 'low',
          severity: 'low',
          message:
            'CORS enabled with the default policy: any origin may read responses (without credentials); list the origins that need access.',
        });
        continue;
      }
      if (full === 'cors' || full === 'fastifyCors' || registered || nest) {
        const options = registered ?? nest ?? args[0];
        const origin = propertyOf(options, 'origin');
        const credentials = propertyOf(options, 'credentials')?.type === 'true';
        const wildcard = origin && (stringValue(origin) === '*' || origin.type === 'true');
        if (nest && origin && stringValue(origin) === '*' && !credentials) {
          matches.push({ node: call, confidence: 'high' });
        } else if (wildcard && credentials) {
          matches.push({
            node: call,
            confidence: 'high',
            severity: 'high',
            message:
              'CORS reflects any origin and allows credentials: any site can make authenticated requests and read the answers.',
          });
        }
      } else if (['setHeader', 'header', 'set', 'append', 'writeHead', 'setHeaders', 'Header'].includes(method)) {
        // `res.setHeader(name, value)`, the NestJS `@Header(name, value)`, or `res.set({ name: value })`,
        // `res.writeHead(200, { name: value })`
        const headers = args.find((arg) => unwrap(arg).type === 'object');
        const value =
          stringValue(args[0])?.toLowerCase() === 'access-control-allow-origin'
            ? args[1]
            : headers
              ? unwrap(headers)
                  .namedChildren.filter((pair) => pair.type === 'pair')
                  .find((pair) => {
                    const key = pair.childForFieldName('key');
                    const name = key?.type === 'string' ? stringValue(key) : key?.text;
                    return name?.toLowerCase() === 'access-control-allow-origin';
                  })
                  ?.childForFieldName('value')
              : undefined;
        if (!value) continue;
        if (stringValue(value) === '*') matches.push({ node: call, confidence: 'high' });
        else if (taint.isTainted(value)) {
          matches.push({
            node: call,
            confidence: 'high',
            severity: 'high',
            message: 'CORS reflects the request origin: any site can read the answers.',
          });
        }
      }
    }
    return matches;
  },
});
