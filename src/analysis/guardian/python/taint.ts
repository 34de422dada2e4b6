import type { Node } from 'web-tree-sitter';
import {
  callParts,
  children,
  descendants,
  enclosingFunction,
  importAliases,
  isLambdaHandler,
  isRouteHandler,
  parameters,
  qualifiedName,
} from './ast.js';
import { guardedUse, relativeToChecked, replacedWhenRejected } from './guards.js';
import {
  REQUEST_ATTRIBUTES,
  REQUEST_NAMES,
  REQUEST_OBJECTS,
  URL_ATTRIBUTES,
  SAME_ORIGIN_KINDS,
  SOURCE_CALLS,
  SOURCE_NAMES,
  CONVERTERS,
  SANITISERS,
  PASS_THROUGH,
  PATH_NORMALISERS,
  PREFIX_CHECKS,
  LOOKUPS,
} from './taint-sources.js';
import { BRANCHING, hasElse, isBranch, numericFormat } from './taint-syntax.js';
import { fold, truthy, type Constant } from './constant-fold.js';

/**
 * Intra-procedural taint tracking for Python. An expression evaluates to a level:
 * - `constant`: built from literals only;
 * - `safe`: passed through a sanitiser for the sink kind (or a conversion such as `int()`);
 * - `unknown`: not constant, but no flow from a source was found (parameters, call results…);
 * - `tainted`: data flows from a request (a route handler's parameters, a Lambda handler's event), `input()` or
 *   `sys.argv`.
 * Names are resolved to the bindings that reach the use in the same function (the last one in source order,
 * joined with those of the other branches of an `if`/`try` it sits in), then to module-level bindings. Calls to functions defined in the same file are
 * followed by evaluating their `return` expressions with the parameters bound to the arguments' levels.
 */
export const LEVELS = ['constant', 'safe', 'unknown', 'tainted'] as const;

export type Level = (typeof LEVELS)[number];

/** What a sink is sensitive to; a sanitiser protects one or more kinds. */
export type SinkKind =
  'sql' | 'nosql' | 'command' | 'code' | 'path' | 'url' | 'html' | 'redirect' | 'regex' | 'deserialization' | 'generic';

const rank = (level: Level) => LEVELS.indexOf(level);

export const join = (...levels: Level[]): Level =>
  levels.reduce<Level>((a, b) => (rank(a) >= rank(b) ? a : b), 'constant');

interface Binding {
  /** the value bound, or undefined when it cannot be evaluated (e.g. `except E as e`) */
  readonly value: Node | undefined;
  /** index after which the binding is visible */
  readonly at: number;
  readonly augmented: boolean;
  /** the value is iterated (`for x in value`), so x takes the value's level */
  readonly statement: Node;
}

interface Context {
  readonly scope: Node;
  /** parameter levels when a helper function is evaluated for a call */
  readonly params?: ReadonlyMap<string, Level>;
  readonly depth: number;
}

export class TaintAnalysis {
  readonly aliases: ReadonlyMap<string, string>;
  private readonly bindings = new Map<number, Map<string, Binding[]>>();
  private readonly functions = new Map<string, Node>();
  private readonly memo = new Map<string, Level>();
  private readonly active = new Set<string>();

  constructor(readonly root: Node) {
    this.aliases = importAliases(root);
    for (const fn of descendants(root, (node) => node.type === 'function_definition')) {
      const name = fn.childForFieldName('name')?.text;
      if (name && !this.functions.has(name) && fn.parent?.parent?.parent?.type !== 'class_definition')
        this.functions.set(name, fn);
    }
  }

  /** The level of an expression for a sink kind. */
  level(node: Node, kind: SinkKind = 'generic'): Level {
    return this.evaluate(node, kind, { scope: enclosingFunction(node) ?? this.root, depth: 0 });
  }

  /** The binding of a name visible at a node, if one is found in its function or at module level. */
  bindingAt(name: string, at: Node): Binding | undefined {
    const scope = enclosingFunction(at) ?? this.root;
    return this.lastBinding(scope, name, at.startIndex) ?? this.lastBinding(this.root, name, Infinity);
  }

  /** Whether a bare name is Python's builtin: not rebound by an import or a function definition of the module. */
  isBuiltin(name: string): boolean {
    return !this.aliases.has(name) && !this.functions.has(name);
  }

  qualified(node: Node | null | undefined): string | undefined {
    return qualifiedName(node, this.aliases);
  }

  /** Whether an attribute expression reads client data from a request (`request.args`, `request.GET`…). */
  isSourceExpression(node: Node, kind: SinkKind = 'generic'): boolean {
    if (node.type === 'attribute') {
      const object = node.childForFieldName('object');
      const attribute = node.childForFieldName('attribute')?.text ?? '';
      const isRequest =
        object !== null && (REQUEST_NAMES.has(object.text) || REQUEST_OBJECTS.has(this.qualified(object) ?? ''));
      if (isRequest && REQUEST_ATTRIBUTES.has(attribute)) return true;
      if (isRequest && URL_ATTRIBUTES.has(attribute) && !SAME_ORIGIN_KINDS.has(kind)) return true;
    }
    // the command line is chosen by the local user, who already has their own access to the file system: a
    // path named there is the tool's input, not a traversal across a trust boundary
    if (kind === 'path') return false;
    const name = this.qualified(node);
    return name !== undefined && SOURCE_NAMES.has(name);
  }

  /** Whether an attribute chain reads from a request: `flask.request.args`, `flask.request.args.get`. */
  private readsRequest(node: Node, kind: SinkKind): boolean {
    for (let at: Node | null = node; at?.type === 'attribute'; at = at.childForFieldName('object'))
      if (this.isSourceExpression(at, kind)) return true;
    return false;
  }

  private evaluate(node: Node, kind: SinkKind, context: Context): Level {
    const key = `${node.id}:${kind}`;
    const memoise = context.params === undefined;
    if (memoise) {
      const known = this.memo.get(key);
      if (known) return known;
      if (this.active.has(key)) return 'unknown';
      this.active.add(key);
    }
    try {
      const level = this.compute(node, kind, context);
      if (memoise) this.memo.set(key, level);
      return level;
    } finally {
      if (memoise) this.active.delete(key);
    }
  }

  private joinAll(nodes: readonly (Node | null | undefined)[], kind: SinkKind, context: Context): Level {
    return join(...nodes.filter((n): n is Node => !!n).map((n) => this.evaluate(n, kind, context)));
  }

  private compute(node: Node, kind: SinkKind, context: Context): Level {
    switch (node.type) {
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
      case 'ellipsis':
      case 'comment':
        return 'constant';
      case 'comparison_operator':
      case 'not_operator':
        return 'safe';
      case 'string':
        return this.joinAll(
          children(node)
            .filter((child) => child.type === 'interpolation')
            .map((child) => child.childForFieldName('expression')),
          kind,
          context,
        );
      case 'identifier':
        return this.identifier(node, kind, context);
      case 'attribute': {
        if (this.isSourceExpression(node, kind)) return 'tainted';
        if (this.qualified(node) && this.aliases.has(this.qualified(node)!.split('.')[0]!)) return 'unknown';
        return this.evaluate(node.childForFieldName('object')!, kind, context);
      }
      case 'subscript':
        return this.evaluate(node.childForFieldName('value')!, kind, context);
      case 'call':
        return this.call(node, kind, context);
      case 'lambda':
        return 'unknown';
      case 'binary_operator':
        // `"kill -9 %d" % pid`: every value is converted to a number, which carries no syntax
        if (numericFormat(node)) return 'safe';
        return this.joinAll(children(node), kind, context);
      case 'conditional_expression': {
        const [consequence, condition, alternative] = children(node);
        // `"safe" if 7 * 18 + num > 200 else param`: a constant condition takes one branch
        const decided = this.constant(condition);
        if (decided !== undefined) return this.joinAll([truthy(decided) ? consequence : alternative], kind, context);
        return this.joinAll([consequence, alternative], kind, context);
      }
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
      case 'dictionary_comprehension': {
        // the element is evaluated with the iterated values standing in for the loop variables
        const body = node.childForFieldName('body');
        const iterables = descendants(node, (n) => n.type === 'for_in_clause').map((clause) =>
          clause.childForFieldName('right'),
        );
        const iterated = this.joinAll(iterables, kind, context);
        return body
          ? join(iterated === 'tainted' ? 'tainted' : 'constant', this.evaluate(body, kind, context))
          : iterated;
      }
      default:
        // operators, containers, parentheses, await, keyword/pair nodes: the join of their parts
        return this.joinAll(children(node), kind, context);
    }
  }

  private identifier(node: Node, kind: SinkKind, context: Context): Level {
    const name = node.text;
    const { scope } = context;
    const reaching = this.reachingBindings(scope, name, node.startIndex);
    if (reaching.length) {
      return join(
        ...reaching.map((binding) => {
          const level = this.bindingLevel(binding, name, node, kind, context);
          return level === 'tainted' && guardedUse(node, name, binding.at, scope) ? 'safe' : level;
        }),
      );
    }
    if (scope.type === 'function_definition') {
      const param = parameters(scope).find((p) => p.name === name);
      if (param) {
        const bound = context.params?.get(name);
        if (bound) return bound;
        if (guardedUse(node, name, scope.startIndex, scope)) return 'safe';
        return this.isTaintedParameter(scope, param) ? 'tainted' : this.callSiteLevel(scope, param, kind, context);
      }
      if (this.isComprehensionVariable(node)) return 'unknown';
      const global = this.lastBinding(this.root, name, Infinity);
      if (global) return this.bindingLevel(global, name, node, kind, { scope: this.root, depth: context.depth });
    }
    return 'unknown';
  }

  private bindingLevel(binding: Binding, name: string, use: Node, kind: SinkKind, context: Context): Level {
    if (!binding.value) return 'unknown';
    let level = this.evaluate(binding.value, kind, context);
    if (binding.augmented) {
      const previous = this.lastBinding(context.scope, name, binding.statement.startIndex);
      level = join(level, previous ? this.bindingLevel(previous, name, use, kind, context) : 'unknown');
    }
    if (kind === 'path' && level === 'tainted' && this.isPrefixChecked(binding, name, use, context.scope))
      return 'safe';
    return level;
  }

  /**
   * `p = os.path.realpath(x)` (or `Path(…).resolve()`) followed by `if p.startswith(base)` /
   * `assert p.is_relative_to(base)` / `p.relative_to(base)`.
   */
  private isPrefixChecked(binding: Binding, name: string, use: Node, scope: Node): boolean {
    const value = binding.value;
    const callee = value?.type === 'call' ? value.childForFieldName('function') : null;
    const normalises =
      PATH_NORMALISERS.has(this.qualified(callee) ?? '') ||
      (callee?.type === 'attribute' &&
        ['resolve', 'absolute'].includes(callee.childForFieldName('attribute')?.text ?? ''));
    if (!normalises) return false;
    if (relativeToChecked(scope, name, binding.at, use.startIndex)) return true;
    return descendants(scope, (n) => n.type === 'call').some((call) => {
      if (call.startIndex < binding.at || call.startIndex > use.startIndex) return false;
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute' || !PREFIX_CHECKS.has(callee.childForFieldName('attribute')?.text ?? ''))
        return false;
      if (callee.childForFieldName('object')?.text !== name) return false;
      for (let at = call.parent; at && at.id !== scope.id; at = at.parent)
        if (at.type === 'if_statement' || at.type === 'assert_statement') return true;
      return false;
    });
  }

  private isComprehensionVariable(node: Node): boolean {
    for (let at = node.parent; at; at = at.parent) {
      if (at.type.endsWith('comprehension') || at.type === 'generator_expression') {
        const bound = descendants(at, (n) => n.type === 'for_in_clause').flatMap((clause) =>
          descendants(clause.childForFieldName('left') ?? clause, (n) => n.type === 'identifier'),
        );
        if (bound.some((b) => b.text === node.text)) return true;
      }
      if (at.type === 'function_definition') break;
    }
    return false;
  }

  private isTaintedParameter(fn: Node, param: { name: string; node: Node; defaultValue?: Node }): boolean {
    // an AWS Lambda handler's event is the client's request (API Gateway, function URL…)
    if (isLambdaHandler(fn)) return parameters(fn)[0]?.node.id === param.node.id;
    if (!isRouteHandler(fn)) return false;
    if (['self', 'cls', 'request', 'req'].includes(param.name)) return false;
    const annotation = param.node.childForFieldName('type')?.text ?? '';
    if (/\b(Request|Session|AsyncSession|BackgroundTasks|WebSocket|Response)\b/.test(annotation)) return false;
    const defaultValue = param.defaultValue;
    if (
      defaultValue?.type === 'call' &&
      /(^|\.)(Depends|Security)$/.test(defaultValue.childForFieldName('function')?.text ?? '')
    )
      return false;
    return true;
  }

  private callSitesCache: Map<string, { calls: Node[]; escapes: boolean }> | undefined;

  /**
   * Per local function name: the calls that name it as the callee, and whether the name is also used otherwise
   * (passed as a callback, stored, decorated, exported through `__all__`), so that callers the file does not
   * show exist.
   */
  private callSites(): Map<string, { calls: Node[]; escapes: boolean }> {
    if (this.callSitesCache) return this.callSitesCache;
    const sites = new Map<string, { calls: Node[]; escapes: boolean }>();
    for (const [name, fn] of this.functions)
      sites.set(name, { calls: [], escapes: fn.parent?.type === 'decorated_definition' });
    for (const identifier of descendants(this.root, (n) => n.type === 'identifier' || n.type === 'string_content')) {
      const site = sites.get(identifier.text);
      if (!site) continue;
      const parent = identifier.parent;
      const field = (type: string, name: string) =>
        parent?.type === type && parent.childForFieldName(name)?.id === identifier.id;
      if (field('call', 'function')) site.calls.push(parent!);
      // the definition itself, `x.run` and `f(run=…)` name something else
      else if (
        !field('function_definition', 'name') &&
        !field('attribute', 'attribute') &&
        !field('keyword_argument', 'name')
      )
        site.escapes = true;
    }
    this.callSitesCache = sites;
    return sites;
  }

  /**
   * The level of a parameter of a local function from the calls the file makes to it: `run(request.args["c"])`
   * taints `cmd` in `def run(cmd): os.system(cmd)`, and a function called only with constants gets only
   * constants. A function whose name escapes (passed along, decorated, listed in `__all__`), or that the file
   * never calls, may be called with anything: unknown at least.
   */
  private callSiteLevel(
    fn: Node,
    param: { name: string; node: Node; defaultValue?: Node },
    kind: SinkKind,
    context: Context,
  ): Level {
    const name = fn.childForFieldName('name')?.text;
    const site = name && this.functions.get(name)?.id === fn.id ? this.callSites().get(name) : undefined;
    if (!site || context.depth > 3 || param.node.type.endsWith('splat_pattern')) return 'unknown';
    const index = parameters(fn).findIndex((p) => p.node.id === param.node.id);
    const isMethodLike = index === 0 && ['self', 'cls'].includes(param.name);
    if (isMethodLike) return 'unknown';
    let level: Level = site.escapes || site.calls.length === 0 ? 'unknown' : 'constant';
    for (const call of site.calls) {
      if (level === 'tainted') break;
      const parts = callParts(call, this.aliases);
      if (parts.positional.some((arg) => arg.type === 'list_splat' || arg.type === 'dictionary_splat'))
        return 'unknown';
      const arg = parts.keywords.get(param.name) ?? parts.positional[index] ?? param.defaultValue;
      const at: Context = { scope: enclosingFunction(call) ?? this.root, depth: context.depth + 1 };
      level = join(level, arg ? this.evaluate(arg, kind, at) : 'constant');
    }
    return level;
  }

  private call(node: Node, kind: SinkKind, context: Context): Level {
    const parts = callParts(node, this.aliases);
    const args = [...parts.positional, ...parts.keywords.values()];
    const name = parts.name ?? '';
    if (this.isSourceExpression(parts.callee, kind) || SOURCE_CALLS.has(name)) return 'tainted';
    if (CONVERTERS.has(name)) return 'safe';
    const own = (key: string | undefined) => (key && Object.hasOwn(SANITISERS, key) ? SANITISERS[key] : undefined);
    const protects = own(name) ?? own(parts.method);
    if (protects && (protects.includes(kind) || kind === 'generic')) return 'safe';
    if (PASS_THROUGH.has(name) || protects) return this.joinAll(args, kind, context);
    if (parts.callee.type === 'identifier') {
      const helper = this.functions.get(parts.callee.text);
      if (helper && context.depth < 4) return this.helperCall(helper, parts.positional, parts.keywords, kind, context);
      return 'unknown';
    }
    if (parts.receiver) {
      // a method: the result carries the taint of its receiver and arguments (`.strip()`, `.format()`, `.get()`)
      if (
        this.qualified(parts.receiver) &&
        this.aliases.has(this.qualified(parts.receiver)!.split('.')[0]!) &&
        !this.readsRequest(parts.receiver, kind)
      )
        return 'unknown';
      const receiver = this.evaluate(parts.receiver, kind, context);
      // `ALLOWED.get(key, default)`: a value of the constant mapping or the default, whatever the key
      if (receiver === 'constant' && parts.method && LOOKUPS.has(parts.method))
        return this.joinAll(parts.positional.slice(1), kind, context);
      return join(receiver === 'constant' ? 'constant' : receiver, this.joinAll(args, kind, context));
    }
    return 'unknown';
  }

  private helperCall(
    fn: Node,
    positional: readonly Node[],
    keywords: ReadonlyMap<string, Node>,
    kind: SinkKind,
    context: Context,
  ): Level {
    const key = `helper:${fn.id}`;
    if (this.active.has(key)) return 'unknown';
    this.active.add(key);
    try {
      const params = new Map<string, Level>();
      parameters(fn).forEach((param, index) => {
        const arg = keywords.get(param.name) ?? positional[index] ?? param.defaultValue;
        params.set(param.name, arg ? this.evaluate(arg, kind, context) : 'unknown');
      });
      const returns = descendants(fn, (n) => n.type === 'return_statement').filter(
        (r) => enclosingFunction(r)?.id === fn.id,
      );
      if (!returns.length) return 'constant';
      const inner: Context = { scope: fn, params, depth: context.depth + 1 };
      return join(...returns.map((r) => (children(r)[0] ? this.evaluate(children(r)[0]!, kind, inner) : 'constant')));
    } finally {
      this.active.delete(key);
    }
  }

  /**
   * The bindings of a name that can reach a use: the last one before it and, when that one is in a branch of
   * an `if`/`try` statement the use comes after, the last one of each other branch (`if c: x = a else: x = b`
   * reaches the use with either value). A binding in an earlier branch of the `if` holding the use does not
   * reach it: the bindings before that statement do.
   */
  private reachingBindings(scope: Node, name: string, before: number, depth = 0): Binding[] {
    const last = this.lastBinding(scope, name, before);
    if (!last) return [];
    const found = [last];
    if (depth > 4) return found;
    for (let at: Node = last.statement; at.parent && at.id !== scope.id; at = at.parent) {
      const statement = at.parent;
      if (!BRANCHING.has(statement.type) || !isBranch(statement, at)) continue;
      if (at.startIndex <= before && before < at.endIndex) break; // the use is in this branch too
      if (before < statement.endIndex) {
        // the use is in a later branch of the same `if`: this branch did not run
        if (statement.type === 'if_statement')
          return this.reachingBindings(scope, name, statement.startIndex, depth + 1);
        break;
      }
      let everyBranchBinds =
        statement.type !== 'if_statement' ||
        hasElse(statement) ||
        (statement.childForFieldName('consequence')?.id === at.id && this.constantCondition(statement) === true);
      for (const other of children(statement)) {
        if (other.id === at.id || !isBranch(statement, other)) continue;
        const inOther = this.lastBinding(scope, name, Math.min(before, other.endIndex));
        if (inOther && inOther.at >= other.startIndex) {
          if (!found.includes(inOther)) found.push(inOther);
        } else everyBranchBinds = false;
      }
      // `param = request.form.get("p")` then `if not param: param = ""`: when no branch runs (an `if` without
      // `else`) or the branch that runs does not bind the name, the binding before the statement reaches the use
      if (!everyBranchBinds && !replacedWhenRejected(statement, name, scope))
        for (const prior of this.reachingBindings(scope, name, statement.startIndex, depth + 1))
          if (!found.includes(prior)) found.push(prior);
    }
    return found;
  }

  private lastBinding(scope: Node, name: string, before: number): Binding | undefined {
    const all = this.scopeBindings(scope).get(name);
    if (!all) return undefined;
    let last: Binding | undefined;
    for (const binding of all) if (binding.at <= before && !this.inDeadBranch(binding.statement, scope)) last = binding;
    return last;
  }

  private readonly folding = new Set<number>();
  private readonly deadStatements = new Map<number, boolean>();

  /** The constant value of an expression (literals and names bound to them), if it has one. */
  constant(node: Node | null | undefined): Constant | undefined {
    return fold(node, (name) => {
      if (this.folding.has(name.id) || this.folding.size > 16) return undefined;
      this.folding.add(name.id);
      try {
        const scope = enclosingFunction(name) ?? this.root;
        const reaching = this.reachingBindings(scope, name.text, name.startIndex);
        const only = reaching.length === 1 ? reaching[0] : undefined;
        if (only) return only.augmented ? undefined : this.constant(only.value);
        if (reaching.length || scope.id === this.root.id) return undefined;
        const global = this.scopeBindings(this.root).get(name.text);
        return global?.length === 1 && !global[0]!.augmented ? this.constant(global[0]!.value) : undefined;
      } finally {
        this.folding.delete(name.id);
      }
    });
  }

  /** The truth of an `if`/`elif` condition when it is a constant. */
  private constantCondition(statement: Node): boolean | undefined {
    const value = this.constant(statement.childForFieldName('condition'));
    return value === undefined ? undefined : truthy(value);
  }

  /** Whether a statement sits in a branch that a constant condition rules out (`if 3 > 5: x = param`). */
  private inDeadBranch(statement: Node, scope: Node): boolean {
    const known = this.deadStatements.get(statement.id);
    if (known !== undefined) return known;
    this.deadStatements.set(statement.id, false); // while folding the conditions themselves
    let dead = false;
    for (let at: Node = statement; at.parent && at.id !== scope.id && !dead; at = at.parent) {
      const parent = at.parent;
      if (parent.type === 'if_statement' || parent.type === 'elif_clause') {
        if (parent.childForFieldName('consequence')?.id === at.id) dead = this.constantCondition(parent) === false;
        else if (at.type === 'else_clause' || at.type === 'elif_clause')
          // an earlier condition of the chain that is always true takes the flow
          dead =
            this.constantCondition(parent) === true ||
            children(parent).some(
              (other) =>
                other.type === 'elif_clause' &&
                other.endIndex <= at.startIndex &&
                this.constantCondition(other) === true,
            );
      }
    }
    this.deadStatements.set(statement.id, dead);
    return dead;
  }

  private scopeBindings(scope: Node): Map<string, Binding[]> {
    let map = this.bindings.get(scope.id);
    if (map) return map;
    map = new Map();
    const add = (target: Node | null | undefined, binding: Omit<Binding, 'augmented'> & { augmented?: boolean }) => {
      if (!target) return;
      const names =
        target.type === 'identifier'
          ? [target]
          : ['pattern_list', 'tuple_pattern', 'list_pattern', 'as_pattern_target', 'parenthesized_expression'].includes(
                target.type,
              )
            ? descendants(target, (n) => n.type === 'identifier' && n.parent?.type !== 'attribute')
            : [];
      for (const id of names) {
        const list = map.get(id.text) ?? [];
        list.push({ augmented: false, ...binding });
        map.set(id.text, list);
      }
    };
    const visit = (node: Node) => {
      for (const child of children(node)) {
        if (child.type === 'function_definition' || child.type === 'class_definition' || child.type === 'lambda') {
          const name = child.childForFieldName('name');
          if (name) add(name, { value: undefined, at: child.startIndex, statement: child });
          continue;
        }
        switch (child.type) {
          case 'assignment': {
            const right = child.childForFieldName('right');
            add(child.childForFieldName('left'), { value: right ?? undefined, at: child.endIndex, statement: child });
            break;
          }
          case 'augmented_assignment':
            add(child.childForFieldName('left'), {
              value: child.childForFieldName('right') ?? undefined,
              at: child.endIndex,
              statement: child,
              augmented: true,
            });
            break;
          case 'named_expression':
            add(child.childForFieldName('name'), {
              value: child.childForFieldName('value') ?? undefined,
              at: child.endIndex,
              statement: child,
            });
            break;
          case 'for_statement': {
            const right = child.childForFieldName('right');
            add(child.childForFieldName('left'), {
              value: right ?? undefined,
              at: right?.endIndex ?? child.startIndex,
              statement: child,
            });
            break;
          }
          case 'as_pattern': {
            const value = children(child)[0];
            const alias = child.childForFieldName('alias');
            add(alias, {
              value: child.parent?.type === 'with_item' ? value : undefined,
              at: child.endIndex,
              statement: child,
            });
            break;
          }
          default:
            break;
        }
        visit(child);
      }
    };
    visit(scope.type === 'function_definition' ? (scope.childForFieldName('body') ?? scope) : scope);
    this.bindings.set(scope.id, map);
    return map;
  }
}
