import type { Node } from 'web-tree-sitter';
import { isPlaceholderSecret } from '../secrets/formats.js';
import { literalsReportedBySecretRules } from '../secrets/index.js';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { stringValue, unwrap } from './syntax.js';
import { type TaintAnalysis } from './taint.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleNames, propertyOf } from './util.js';

/**
 * APIs whose parameter is a secret by definition: whatever string is given there signs tokens, signs session
 * cookies, keys an HMAC or a cipher. A constant there is a hard-coded secret, however short or guessable it
 * is (and short ones are worse: they can be brute-forced from a single token or cookie).
 *
 * Only constants count: a string literal, or a variable whose value at the call is one. Environment reads
 * with a development fallback (`process.env.SECRET || 'dev'`) are not reported: production reads the
 * environment, and the fallback is a deployment question rather than a secret in the code.
 */

/** jsonwebtoken: `jwt.sign(payload, key)`, `jwt.verify(token, key)`. */
const JWT_KEY_ARGUMENT: Readonly<Record<string, number>> = { sign: 1, verify: 1 };
/** crypto: `createHmac(alg, key)`, `createCipheriv(alg, key, iv)`, `createDecipheriv(alg, key, iv)`. */
const CRYPTO_KEY_ARGUMENT: Readonly<Record<string, number>> = { createHmac: 1, createCipheriv: 1, createDecipheriv: 1 };
/** Middleware factories whose options object carries the secret, by module. */
const OPTION_MODULES: Readonly<Record<string, readonly string[]>> = {
  'express-jwt': ['secret'],
  'koa-jwt': ['secret'],
  'express-session': ['secret'],
  'cookie-session': ['secret', 'keys'],
  'koa-session': ['secret'],
  'passport-jwt': ['secretOrKey'],
  '@fastify/jwt': ['secret'],
  'fastify-jwt': ['secret'],
  '@fastify/session': ['secret'],
  '@fastify/secure-session': ['secret', 'key'],
  '@fastify/cookie': ['secret'],
  '@nestjs/jwt': ['secret', 'privateKey'],
};

interface Constant {
  /** the string literal */
  literal: Node;
  /** the variable it came through, if any */
  variable?: string;
}

/** A string constant, directly or through variables (and `Buffer.from(constant)`), else undefined. */
function constantOf(node: Node | undefined, taint: TaintAnalysis): Constant | undefined {
  if (!node) return undefined;
  let target = unwrap(node);
  const variable = target.type === 'identifier' ? target.text : undefined;
  target = taint.resolve(target);
  if (target.type === 'call_expression' && calleeParts(target).full === 'Buffer.from') {
    const inner = callArguments(target)[0];
    if (!inner) return undefined;
    return constantOf(inner, taint);
  }
  const value = stringValue(target);
  if (value === undefined || isPlaceholderSecret(value)) return undefined;
  return { literal: target, ...(variable ? { variable } : {}) };
}

/** An array of constants (`keys: ['a', 'b']` of cookie-session): its first constant element. */
function constantIn(node: Node | undefined, taint: TaintAnalysis): Constant | undefined {
  if (!node) return undefined;
  const target = taint.resolve(unwrap(node));
  if (target.type === 'array') {
    for (const element of target.namedChildren) {
      const constant = constantOf(element, taint);
      if (constant) return constant;
    }
    return undefined;
  }
  return constantOf(node, taint);
}

/** The object literal an options argument is, directly or through a variable. */
function optionsObject(node: Node | undefined, taint: TaintAnalysis): Node | undefined {
  if (!node) return undefined;
  const target = taint.resolve(unwrap(node));
  return target.type === 'object' ? target : undefined;
}

/** Whether the file binds this name to something other than a module it requires. */
function declaresOther(root: Node, name: string): boolean {
  return root.descendantsOfType('variable_declarator').some((node) => {
    if (node.childForFieldName('name')?.text !== name) return false;
    const value = node.childForFieldName('value');
    return !value || !/^(await\s+)?(require|import)\s*\(/.test(value.text);
  });
}

const lineOf = (node: Node) => node.startPosition.row + 1;

function describe(constant: Constant, what: string): string {
  return constant.variable
    ? `${what} is the constant \`${constant.variable}\` (line ${lineOf(constant.literal)}) hard-coded in the source.`
    : `${what} is a string hard-coded in the source.`;
}

export const hardCodedSecretKey: Rule = defineRule({
  id: 'js.hard-coded-secret-key',
  issueType: 'hard_coded_secret',
  cwe: 'CWE-798',
  severity: 'high',
  message: 'A signing, session or encryption secret is hard-coded in the source.',
  remediation:
    'Load the secret at run time from the environment or a secret manager (and fail to start without it), ' +
    'then rotate it: anyone with the code can forge tokens or cookies, or decrypt data, with the current one.',
  check(context, taint) {
    const { root } = context;
    const matches: RuleMatch[] = [];
    // a literal the secrets rules already report (a known token, a credential-named secret) is not reported twice
    let alreadyReported: Set<number> | undefined;
    const factories = new Map<string, readonly string[]>();
    for (const [module, keys] of Object.entries(OPTION_MODULES))
      for (const name of moduleNames(root, [module])) factories.set(name, keys);
    // the conventional names count too when the file does not bind them to something else
    const jwt = moduleNames(root, ['jsonwebtoken']);
    if (!factories.has('jwt') && !declaresOther(root, 'jwt')) jwt.add('jwt');
    const crypto = moduleNames(root, ['crypto']);
    if (!declaresOther(root, 'crypto')) crypto.add('crypto');
    const report = (node: Node, constant: Constant, what: string) => {
      alreadyReported ??= literalsReportedBySecretRules(context);
      if (alreadyReported.has(constant.literal.startIndex)) return;
      matches.push({ node, confidence: 'high', message: describe(constant, what) });
    };

    for (const call of callsIn(root)) {
      const { full, object, method } = calleeParts(call);
      const args = callArguments(call);
      // jwt.sign / jwt.verify of jsonwebtoken, or `sign`/`verify` imported from it
      if (Object.hasOwn(JWT_KEY_ARGUMENT, method) && (object ? jwt.has(object) : jwt.has(method))) {
        const key = args[JWT_KEY_ARGUMENT[method]!];
        const constant = constantOf(key, taint);
        if (key && constant) report(key, constant, `The JWT ${method === 'sign' ? 'signing' : 'verification'} key`);
        continue;
      }
      if (Object.hasOwn(CRYPTO_KEY_ARGUMENT, method) && (object ? crypto.has(object) : crypto.has(method))) {
        const key = args[CRYPTO_KEY_ARGUMENT[method]!];
        const constant = constantOf(key, taint);
        if (key && constant) report(key, constant, `The \`${method}\` key`);
        continue;
      }
      // session(options), expressJwt(options), new JwtStrategy(options), JwtModule.register(options),
      // fastify.register(plugin, options)
      let keys = factories.get(full) ?? (object ? factories.get(object.split('.')[0]!) : undefined);
      let options = args[0];
      if (method === 'register' && args[0]) {
        const plugin = unwrap(args[0]);
        const pluginModule =
          plugin.type === 'call_expression' && calleeParts(plugin).full === 'require'
            ? stringValue(callArguments(plugin)[0])
            : undefined;
        const pluginKeys =
          factories.get(plugin.text) ??
          (pluginModule && Object.hasOwn(OPTION_MODULES, pluginModule) ? OPTION_MODULES[pluginModule] : undefined);
        if (pluginKeys) {
          keys = pluginKeys;
          options = args[1];
        }
      }
      if (!keys) continue;
      const object_ = optionsObject(options, taint);
      for (const key of keys) {
        const value = propertyOf(object_, key);
        const constant = key === 'keys' ? constantIn(value, taint) : constantOf(value, taint);
        if (value && constant) report(value.parent ?? value, constant, `The \`${key}\` option`);
      }
    }
    // cookie-parser: `cookieParser('secret')`
    for (const name of moduleNames(root, ['cookie-parser'])) {
      for (const call of callsIn(root)) {
        if (calleeParts(call).full !== name) continue;
        const secret = callArguments(call)[0];
        const constant = constantIn(secret, taint);
        if (secret && constant) report(secret, constant, 'The cookie-signing secret');
      }
    }
    return matches;
  },
});
