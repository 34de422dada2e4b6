import type { Node, Tree } from 'web-tree-sitter';
import { anyCheck, branchGuarded, exitGuarded } from './guards.js';
import { fold, truthy, type Folded } from './constant-fold.js';
import {
  FUNCTION_TYPES,
  dottedName,
  unwrap,
  callArguments,
  enclosingFunction,
  patternNames,
  functionParameters,
  returnedExpressions,
  exportedName,
} from './syntax.js';
import {
  REQUEST_OBJECTS,
  SOURCES,
  ANGULAR_ROUTE_INPUT,
  SOURCE_CALLS,
  KEY_LISTS,
  ELEMENT_CALLBACKS,
  PASS_THROUGH,
  SAFE_GLOBALS,
  ORIGIN_PARTS,
  SAFE_METHODS,
  programArgument,
  isSanitiserName,
  clientInputParameters,
} from './taint-sources.js';
import { JAVASCRIPT_SOURCE_MEMBERS, modelledCallbackParameter, modelledSummary } from '../models/javascript-calls.js';

/**
 * Intra-function taint tracking over a tree-sitter tree of JavaScript, TypeScript or TSX.
 *
 * A value is classified as `tainted` (it flows from a request, the command line or the browser location),
 * `unknown` (not a constant, origin not known: parameters, imports, results of unknown calls) or `safe`
 * (constants and sanitised values). Variables are resolved to their latest binding before the use in source
 * order within the enclosing function, then the enclosing functions outwards. The analysis is neither
 * path- nor alias-sensitive; it is meant to be cheap and predictable.
 */
export type TaintLevel = 'safe' | 'unknown' | 'tainted';

const RANK: Readonly<Record<TaintLevel, number>> = { safe: 0, unknown: 1, tainted: 2 };

const max = (a: TaintLevel, b: TaintLevel): TaintLevel => (RANK[a] >= RANK[b] ? a : b);

interface Binding {
  readonly kind: 'value' | 'augment' | 'param' | 'iterate';
  /** the binding takes effect after this index */
  readonly position: number;
  readonly value?: Node;
  readonly function?: Node;
  readonly name: string;
  /** `for (k in over)`: the object whose keys the loop takes */
  readonly over?: Node;
  /** the syntax that binds (declarator, assignment, loop, function of a parameter) */
  readonly node: Node;
}

interface Summary {
  readonly flowing: Set<number>;
  returnsTainted: boolean;
}

export class TaintAnalysis {
  private readonly scopes = new Map<number, Map<string, Binding[]>>();
  private readonly functionsByName = new Map<string, Node>();
  private readonly summaries = new Map<number, Summary>();
  /** function id → parameter names assumed tainted while summarising a helper */
  private readonly assumptions = new Map<number, Set<string>>();
  private readonly active = new Set<number>();
  /** function id → parameter names bound to a remote client's input (entry-point parameters) */
  private readonly entryParameters = new Map<number, Set<string>>();

  constructor(readonly root: Node) {
    for (const declaration of root.descendantsOfType(['function_declaration', 'variable_declarator'])) {
      const name = declaration.childForFieldName('name');
      if (name?.type !== 'identifier') continue;
      if (declaration.type === 'function_declaration') this.functionsByName.set(name.text, declaration);
      else {
        const value = declaration.childForFieldName('value');
        if (value && FUNCTION_TYPES.has(value.type)) this.functionsByName.set(name.text, value);
      }
    }
  }

  /** The expression a variable was last bound to before this use (through a few variables), else the node. */
  resolve(node: Node, depth = 0): Node {
    const target = unwrap(node);
    if (target.type !== 'identifier' || depth > 8) return target;
    for (let scope: Node | null = enclosingFunction(target); ; scope = scope ? enclosingFunction(scope) : null) {
      const latest = this.liveBindings(scope ?? this.root, target.text)
        .filter((b) => b.position <= target.startIndex)
        .at(-1);
      if (latest) return latest.kind === 'value' && latest.value ? this.resolve(latest.value, depth + 1) : target;
      if (!scope) return target;
    }
  }

  isTainted(node: Node): boolean {
    return this.level(node) === 'tainted';
  }

  /** How trustworthy the value of an expression is. */
  level(node: Node): TaintLevel {
    if (this.active.has(node.id)) {
      this.cycleCuts += 1;
      return 'safe';
    }
    this.active.add(node.id);
    try {
      return this.evaluate(node);
    } finally {
      this.active.delete(node.id);
    }
  }

  /** True when the member chain or call is itself a taint source. */
  isSource(node: Node): boolean {
    const current = unwrap(node);
    if (current.type === 'member_expression' || current.type === 'subscript_expression') {
      const name = dottedName(current);
      if (name && (SOURCES.has(name) || JAVASCRIPT_SOURCE_MEMBERS.has(name))) return true;
      if (name && ANGULAR_ROUTE_INPUT.test(name)) return true;
      if (
        name?.startsWith('location.') ||
        name?.startsWith('window.location.') ||
        name?.startsWith('document.location.')
      ) {
        return true;
      }
    }
    if (current.type === 'call_expression') {
      const callee = current.childForFieldName('function');
      if (callee?.type === 'member_expression') {
        const object = dottedName(callee.childForFieldName('object'));
        const method = callee.childForFieldName('property')?.text ?? '';
        if (object && REQUEST_OBJECTS.includes(object) && SOURCE_CALLS.has(method)) return true;
      }
    }
    return false;
  }

  private evaluate(raw: Node): TaintLevel {
    const node = unwrap(raw);
    if (node.type === 'member_expression' && ORIGIN_PARTS.has(node.childForFieldName('property')?.text ?? '')) {
      // the page's own origin: `location.origin`, `window.location.host`
      const object = dottedName(node.childForFieldName('object'));
      if (object === 'location' || object === 'window.location' || object === 'document.location') return 'safe';
    }
    if (programArgument(node)) return 'safe';
    if (this.isSource(node)) return 'tainted';
    switch (node.type) {
      case 'string':
      case 'number':
      case 'true':
      case 'false':
      case 'null':
      case 'undefined':
      case 'regex':
        return 'safe';
      case 'template_string':
        return node.namedChildren
          .filter((c) => c.type === 'template_substitution')
          .reduce<TaintLevel>((acc, c) => max(acc, c.namedChild(0) ? this.level(c.namedChild(0)!) : 'safe'), 'safe');
      case 'identifier':
        return this.identifier(node);
      case 'member_expression':
      case 'subscript_expression': {
        const object = node.childForFieldName('object');
        const property = node.childForFieldName('property')?.text;
        if (property === 'length') return 'safe';
        return object ? this.level(object) : 'unknown';
      }
      case 'binary_expression': {
        const operator = node.childForFieldName('operator')?.text ?? '';
        if (!['+', '||', '&&', '??'].includes(operator)) return 'safe';
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        return max(left ? this.level(left) : 'safe', right ? this.level(right) : 'safe');
      }
      case 'ternary_expression': {
        const a = node.childForFieldName('consequence');
        const b = node.childForFieldName('alternative');
        // `7 * 18 + num > 200 ? 'safe' : param`: a constant condition takes one branch
        const decided = this.constant(node.childForFieldName('condition'));
        if (decided !== undefined) {
          const taken = truthy(decided.value) ? a : b;
          return taken ? this.level(taken) : 'safe';
        }
        return max(a ? this.level(a) : 'safe', b ? this.level(b) : 'safe');
      }
      case 'array':
      case 'object':
      case 'spread_element':
      case 'pair':
        return node.namedChildren.reduce<TaintLevel>((acc, c) => {
          if (node.type === 'pair' && c.equals(node.childForFieldName('key')!)) return acc;
          if (c.type === 'comment' || c.type === 'property_identifier') return acc;
          if (c.type === 'shorthand_property_identifier') return max(acc, this.identifier(c));
          return max(acc, this.level(c));
        }, 'safe');
      case 'assignment_expression': {
        const right = node.childForFieldName('right');
        return right ? this.level(right) : 'unknown';
      }
      case 'unary_expression':
      case 'update_expression':
        return 'safe';
      case 'call_expression':
      case 'new_expression':
        return this.call(node);
      case 'sequence_expression':
        return node.lastNamedChild ? this.level(node.lastNamedChild) : 'safe';
      case 'arrow_function':
      case 'function_expression':
      case 'function':
      case 'class':
        return 'safe';
      default:
        return 'unknown';
    }
  }

  private call(node: Node): TaintLevel {
    const callee = node.childForFieldName(node.type === 'new_expression' ? 'constructor' : 'function');
    const args = callArguments(node);
    const name = dottedName(callee) ?? '';
    const argsLevel = () => args.reduce<TaintLevel>((acc, a) => max(acc, this.level(a)), 'safe');
    if (name && isSanitiserName(name)) return 'safe';
    if (PASS_THROUGH.has(name)) return argsLevel();
    const summary = modelledSummary(node, this);
    if (summary?.kind === 'sanitise') return 'safe';
    if (summary?.kind === 'propagate')
      return summary.arguments.reduce<TaintLevel>(
        (acc, index) => max(acc, args[index] ? this.level(args[index]) : 'safe'),
        'safe',
      );
    if (callee?.type === 'identifier') {
      const helper = this.functionsByName.get(name);
      if (helper) {
        const { flowing, returnsTainted } = this.summary(helper);
        if (returnsTainted) return 'tainted';
        let level: TaintLevel = 'safe';
        for (const [index, arg] of args.entries()) if (flowing.has(index)) level = max(level, this.level(arg));
        return level;
      }
      return 'unknown';
    }
    if (callee?.type === 'member_expression') {
      const method = callee.childForFieldName('property')?.text ?? '';
      const receiver = callee.childForFieldName('object');
      if (SAFE_METHODS.has(method)) return 'safe';
      const receiverLevel = receiver ? this.level(receiver) : 'unknown';
      if (method === 'concat' || method === 'replace' || method === 'replaceAll')
        return max(receiverLevel, argsLevel());
      if (receiverLevel === 'tainted') return 'tainted';
      return 'unknown';
    }
    return 'unknown';
  }

  /**
   * A helper's summary, computed once: the indices of its parameters whose value can reach its return value
   * (each parameter assumed tainted in turn, the others safe), and whether it returns tainted data whatever its
   * arguments (`function query() { return location.search.slice(1) }`).
   */
  private summary(fn: Node): Summary {
    const cached = this.summaries.get(fn.id);
    if (cached) return cached;
    const result: Summary = { flowing: new Set<number>(), returnsTainted: false };
    this.summaries.set(fn.id, result);
    const params = functionParameters(fn);
    const returns = returnedExpressions(fn);
    const returnsTaintedWith = (names: string[]) => {
      this.assumptions.set(fn.id, new Set(names));
      try {
        return returns.some((r) => this.level(r) === 'tainted');
      } finally {
        this.assumptions.delete(fn.id);
      }
    };
    result.returnsTainted = returnsTaintedWith([]);
    if (!result.returnsTainted)
      for (const [index, param] of params.entries())
        if (returnsTaintedWith(patternNames(param))) result.flowing.add(index);
    return result;
  }

  private callSitesCache: Map<string, { calls: Node[]; escapes: boolean }> | undefined;

  /**
   * Per name of a local function: the calls that name it as the callee, and whether the name is also used
   * otherwise (exported, passed as a callback, stored), so that callers the file does not show exist.
   */
  private callSites(): Map<string, { calls: Node[]; escapes: boolean }> {
    if (this.callSitesCache) return this.callSitesCache;
    const sites = new Map<string, { calls: Node[]; escapes: boolean }>();
    for (const name of this.functionsByName.keys()) sites.set(name, { calls: [], escapes: false });
    for (const identifier of this.root.descendantsOfType(['identifier', 'shorthand_property_identifier'])) {
      const site = sites.get(identifier.text);
      if (!site) continue;
      const parent = identifier.parent;
      if (parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === identifier.id)
        site.calls.push(parent);
      else if (
        !(parent?.type === 'function_declaration' && parent.childForFieldName('name')?.id === identifier.id) &&
        !(parent?.type === 'variable_declarator' && parent.childForFieldName('name')?.id === identifier.id)
      )
        site.escapes = true;
    }
    this.callSitesCache = sites;
    return sites;
  }

  /**
   * The level of a parameter of a local function from the calls the file makes to it: `run(req.query.cmd)`
   * taints `cmd` in `function run(cmd) { exec(cmd) }`, and a function called only with constants gets only
   * constants. A function whose name escapes (exported, passed along) or that the file never calls may be
   * called with anything: unknown at least.
   */
  private readonly callSiteLevels = new Map<string, TaintLevel>();
  private cycleCuts = 0;

  private callSiteLevel(fn: Node, name: string): TaintLevel {
    // remembered outside summaries only: while one is computed, the assumed parameters change what calls pass
    if (this.assumptions.size > 0) return this.computeCallSiteLevel(fn, name);
    const key = `${fn.id}:${name}`;
    const known = this.callSiteLevels.get(key);
    if (known) return known;
    const cuts = this.cycleCuts;
    const level = this.computeCallSiteLevel(fn, name);
    // a level computed while a cycle was cut short may miss what flows around the cycle: not remembered
    if (cuts === this.cycleCuts) this.callSiteLevels.set(key, level);
    return level;
  }

  private computeCallSiteLevel(fn: Node, name: string): TaintLevel {
    const functionName =
      fn.type === 'function_declaration'
        ? fn.childForFieldName('name')
        : fn.parent?.type === 'variable_declarator'
          ? fn.parent.childForFieldName('name')
          : null;
    if (functionName?.type !== 'identifier' || this.functionsByName.get(functionName.text)?.id !== fn.id)
      return 'unknown';
    const site = this.callSites().get(functionName.text);
    if (!site) return 'unknown';
    const index = functionParameters(fn).findIndex((param) => patternNames(param).includes(name));
    const parameter = functionParameters(fn)[index];
    if (
      !parameter ||
      parameter.type === 'rest_pattern' ||
      parameter.namedChildren.some((c) => c.type === 'rest_pattern')
    )
      return 'unknown';
    let level: TaintLevel = site.escapes || site.calls.length === 0 || exportedName(fn) ? 'unknown' : 'safe';
    for (const call of site.calls) {
      if (level === 'tainted') break;
      const arg = callArguments(call)[index];
      if (!arg) {
        // a default value stands in for a missing argument
        const fallback = defaultValue(parameter);
        level = max(level, fallback ? this.level(fallback) : 'safe');
      } else if (arg.type === 'spread_element') level = max(level, 'unknown');
      else level = max(level, this.level(arg));
    }
    return level;
  }

  /**
   * Whether the parameter is the element (or key) a callback receives from iterating a collection the program
   * wrote itself: `Object.keys(TABLE).forEach((key) => …)`, `['a', 'b'].map((name) => …)`, the second
   * parameter of `reduce`.
   */
  private elementParameter(fn: Node, name: string): boolean {
    const call = fn.parent?.type === 'arguments' ? fn.parent.parent : null;
    const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
    if (callee?.type !== 'member_expression' || fn.parent!.namedChildren[0]?.id !== fn.id) return false;
    const method = callee.childForFieldName('property')?.text ?? '';
    const position = ELEMENT_CALLBACKS.get(method);
    const parameter = position === undefined ? undefined : functionParameters(fn)[position];
    if (!parameter || !patternNames(parameter).includes(name)) return false;
    const receiver = callee.childForFieldName('object');
    return receiver !== null && this.keysLevel(receiver) === 'safe';
  }

  /**
   * The level of the keys of an object (what `for … in` and `Object.keys` give), or of an array's elements: an
   * object literal's keys are the program's own unless computed or spread from elsewhere, and so are those of a
   * constant bound to one that the file never writes under a computed key; anything else is unknown.
   */
  private keysLevel(raw: Node, depth = 0): TaintLevel {
    const node = unwrap(raw);
    if (depth < 4 && node.type === 'identifier') {
      // a constant bound once, in this function or an enclosing one
      for (let scope: Node | null = enclosingFunction(node); ; scope = scope ? enclosingFunction(scope) : null) {
        const bindings = this.bindings(scope ?? this.root).get(node.text);
        if (bindings) {
          const only = bindings.length === 1 ? bindings[0] : undefined;
          if (only?.kind === 'value' && only.value && !this.keyedWrites().has(node.text))
            return this.keysLevel(only.value, depth + 1);
          break;
        }
        if (!scope) break;
      }
    }
    if (KEY_LISTS.has(dottedName(node.childForFieldName('function')) ?? '') && node.type === 'call_expression') {
      const object = callArguments(node)[0];
      return object ? this.keysLevel(object, depth + 1) : 'unknown';
    }
    if (node.type === 'object') {
      return node.namedChildren.reduce<TaintLevel>((acc, c) => {
        if (c.type === 'spread_element')
          return max(acc, c.namedChild(0) ? this.keysLevel(c.namedChild(0)!, depth + 1) : 'unknown');
        const key = c.type === 'pair' ? c.childForFieldName('key') : null;
        if (key?.type === 'computed_property_name')
          return max(acc, key.namedChild(0) ? this.level(key.namedChild(0)!) : 'unknown');
        return acc;
      }, 'safe');
    }
    // the elements of an array; what else an object holds says nothing of its keys
    return node.type === 'array' ? this.level(node) : 'unknown';
  }

  private keyedWritesCache: Set<string> | undefined;

  /** Names of objects the file writes under computed keys (`table[k] = v`): their keys are not only literal. */
  private keyedWrites(): Set<string> {
    if (this.keyedWritesCache) return this.keyedWritesCache;
    const names = new Set<string>();
    for (const assignment of this.root.descendantsOfType([
      'assignment_expression',
      'augmented_assignment_expression',
    ])) {
      const left = assignment.childForFieldName('left');
      const object = left?.type === 'subscript_expression' ? left.childForFieldName('object') : null;
      if (object?.type === 'identifier') names.add(object.text);
    }
    this.keyedWritesCache = names;
    return names;
  }

  private identifier(node: Node): TaintLevel {
    const name = node.text;
    if (name === 'undefined' || SAFE_GLOBALS.has(name)) return 'safe';
    for (let scope: Node | null = enclosingFunction(node); ; scope = scope ? enclosingFunction(scope) : null) {
      const owner = scope ?? this.root;
      const live = this.liveBindings(owner, name);
      const reaching = this.reachingBindings(owner, live, name, node.startIndex);
      if (reaching.length) {
        return reaching.reduce<TaintLevel>((level, binding) => {
          if (this.guarded(owner, name, binding.position, node)) return level;
          const earlier = live.filter((other) => other.position < binding.position);
          return max(level, this.bindingLevel(binding, earlier));
        }, 'safe');
      }
      if (!scope) return 'unknown';
    }
  }

  /** The bindings of a name in a scope, less those in branches a constant condition rules out. */
  private liveBindings(scope: Node, name: string): Binding[] {
    return (this.bindings(scope).get(name) ?? []).filter((binding) => !this.inDeadBranch(binding.node, scope));
  }

  /**
   * The bindings of a name that can reach a use: the last one before it and, when that one sits in a branch of
   * an `if` the use comes after, the last one of the other branch, or the one before the `if` when no other
   * branch binds (`let dir = req.query.dir; if (!dir) dir = '.'` keeps `dir` tainted). An `if` that rebinds
   * when a check of the name fails (`if (!ALLOWED.includes(x)) x = '/'`) replaces the value. A binding in
   * the branch before the one holding the use did not run: the bindings before the `if` reach it.
   */
  private reachingBindings(scope: Node, live: readonly Binding[], name: string, before: number, depth = 0): Binding[] {
    const last = live.filter((binding) => binding.position <= before).at(-1);
    if (!last) return [];
    const found = [last];
    if (depth > 4 || last.kind === 'param') return found;
    const add = (more: Binding[]) => {
      for (const binding of more) if (!found.includes(binding)) found.push(binding);
    };
    for (let at: Node = last.node; at.parent && at.id !== scope.id; at = at.parent) {
      const statement = at.parent;
      if (FUNCTION_TYPES.has(statement.type)) break;
      if (statement.type !== 'if_statement') continue;
      const consequence = statement.childForFieldName('consequence');
      const alternative = statement.childForFieldName('alternative');
      const branch = consequence?.id === at.id ? 'consequence' : alternative?.id === at.id ? 'alternative' : undefined;
      if (!branch) continue;
      if (at.startIndex <= before && before < at.endIndex) break; // the use is in this branch too
      if (before < statement.endIndex) {
        // the use is in the other branch of the same `if`: this one did not run
        return this.reachingBindings(scope, live, name, statement.startIndex, depth + 1);
      }
      const other = branch === 'consequence' ? alternative : consequence;
      const otherLast = other
        ? live.filter((b) => b.position <= Math.min(before, other.endIndex) && b.position >= other.startIndex).at(-1)
        : undefined;
      if (otherLast) add([otherLast]);
      const condition = this.constant(statement.childForFieldName('condition'));
      const alwaysThis = condition !== undefined && truthy(condition.value) === (branch === 'consequence');
      const everyBranchBinds = alwaysThis || otherLast !== undefined;
      const checkCondition = statement.childForFieldName('condition');
      const replacesRejected = !alternative && checkCondition !== null && anyCheck(checkCondition, name);
      if (!everyBranchBinds && !replacesRejected)
        add(this.reachingBindings(scope, live, name, statement.startIndex, depth + 1));
    }
    return found;
  }

  private readonly deadNodes = new Map<number, boolean>();
  private readonly folding = new Set<number>();

  /** Whether a binding sits in a branch that a constant condition rules out (`if (5 > 10) x = param`). */
  private inDeadBranch(node: Node, scope: Node): boolean {
    const cached = this.deadNodes.get(node.id);
    if (cached !== undefined) return cached;
    this.deadNodes.set(node.id, false); // while folding the conditions themselves
    let dead = false;
    for (let at: Node = node; at.parent && at.id !== scope.id && !dead; at = at.parent) {
      const parent = at.parent;
      if (parent.type !== 'if_statement') continue;
      const condition = this.constant(parent.childForFieldName('condition'));
      if (condition === undefined) continue;
      if (parent.childForFieldName('consequence')?.id === at.id) dead = !truthy(condition.value);
      else if (parent.childForFieldName('alternative')?.id === at.id) dead = truthy(condition.value);
    }
    this.deadNodes.set(node.id, dead);
    return dead;
  }

  /** The constant value of an expression (literals and names bound once to them), if it has one. */
  constant(node: Node | null | undefined): Folded {
    return fold(node ? unwrapCondition(node) : node, (name) => {
      if (this.folding.has(name.id) || this.folding.size > 16) return undefined;
      this.folding.add(name.id);
      try {
        for (let scope: Node | null = enclosingFunction(name); ; scope = scope ? enclosingFunction(scope) : null) {
          const owner = scope ?? this.root;
          const live = this.liveBindings(owner, name.text);
          if (live.length) {
            const reaching = this.reachingBindings(owner, live, name.text, name.startIndex);
            const only = reaching.length === 1 ? reaching[0] : undefined;
            if (only) return only.kind === 'value' && only.value ? this.constant(only.value) : undefined;
            // a name of an enclosing scope bound once, read in a function that runs later
            const all = this.bindings(owner).get(name.text) ?? [];
            if (reaching.length || all.length !== 1 || all[0]!.kind !== 'value' || !all[0]!.value) return undefined;
            return this.constant(all[0]!.value);
          }
          if (!scope) return undefined;
        }
      } finally {
        this.folding.delete(name.id);
      }
    });
  }

  private bindingLevel(binding: Binding, earlier: Binding[]): TaintLevel {
    switch (binding.kind) {
      case 'param': {
        const assumed = this.assumptions.get(binding.function!.id);
        if (assumed) return assumed.has(binding.name) ? 'tainted' : 'safe';
        if (this.entryInputs(binding.function!).has(binding.name)) return 'tainted';
        if (this.modelledParameter(binding.function!, binding.name)) return 'tainted';
        if (this.elementParameter(binding.function!, binding.name)) return 'safe';
        return this.callSiteLevel(binding.function!, binding.name);
      }
      case 'iterate':
        // `for (const k in TABLE)`: the keys of the program's own object literal
        if (!binding.value && binding.over && this.keysLevel(binding.over) === 'safe') return 'safe';
        return binding.value ? this.level(binding.value) : 'unknown';
      case 'augment': {
        const previous = earlier.at(-1);
        return max(
          binding.value ? this.level(binding.value) : 'unknown',
          previous ? this.bindingLevel(previous, earlier.slice(0, -1)) : 'unknown',
        );
      }
      default:
        return binding.value ? this.level(binding.value) : 'unknown';
    }
  }

  /**
   * True when an allow-list or validation check rejects the value before this use (`if (!ALLOWED.includes(x))
   * return …`, `if (!/^\d+$/.test(x)) throw …`) or the use sits in the branch taken only after a check
   * (`if (SET.has(x)) { use(x) }`, `re.test(x) ? x : '/'`); see guards.ts.
   */
  /** {@link clientInputParameters}, computed once per function. */
  private entryInputs(fn: Node): Set<string> {
    const cached = this.entryParameters.get(fn.id);
    if (cached) return cached;
    const result = clientInputParameters(fn);
    this.entryParameters.set(fn.id, result);
    return result;
  }

  /** Whether a model names this parameter as client data (`addEventListener('message', (event) => …)`). */
  private modelledParameter(fn: Node, name: string): boolean {
    const index = modelledCallbackParameter(fn, this);
    if (index === undefined) return false;
    const parameter = functionParameters(fn)[index];
    return parameter !== undefined && patternNames(parameter).includes(name);
  }

  private guarded(scope: Node, name: string, from: number, use: Node): boolean {
    const body = scope.type === 'program' ? scope : scope.childForFieldName('body');
    if (!body) return false;
    return exitGuarded(body, name, from, use.startIndex) || branchGuarded(use, name, from, scope);
  }

  private bindings(scope: Node): Map<string, Binding[]> {
    const cached = this.scopes.get(scope.id);
    if (cached) return cached;
    const result = new Map<string, Binding[]>();
    const add = (binding: Binding) => {
      const list = result.get(binding.name) ?? [];
      list.push(binding);
      result.set(binding.name, list);
    };
    if (scope.type !== 'program') {
      for (const param of functionParameters(scope)) {
        for (const name of patternNames(param))
          add({ kind: 'param', position: scope.startIndex, function: scope, name, node: scope });
      }
    }
    const visit = (node: Node) => {
      for (const child of node.namedChildren) {
        if (FUNCTION_TYPES.has(child.type)) continue;
        visit(child);
        if (child.type === 'variable_declarator') {
          const pattern = child.childForFieldName('name');
          const value = child.childForFieldName('value') ?? undefined;
          for (const name of pattern ? patternNames(pattern) : [])
            add({ kind: 'value', position: child.endIndex, value, name, node: child });
        } else if (child.type === 'assignment_expression') {
          const left = child.childForFieldName('left');
          const value = child.childForFieldName('right') ?? undefined;
          const target = left ? unwrap(left) : undefined;
          if (target?.type === 'identifier')
            add({ kind: 'value', position: child.endIndex, value, name: target.text, node: child });
          else if (target && ['object_pattern', 'array_pattern'].includes(target.type)) {
            for (const name of patternNames(target))
              add({ kind: 'value', position: child.endIndex, value, name, node: child });
          }
        } else if (child.type === 'augmented_assignment_expression') {
          const left = child.childForFieldName('left');
          const value = child.childForFieldName('right') ?? undefined;
          if (left?.type === 'identifier')
            add({ kind: 'augment', position: child.endIndex, value, name: left.text, node: child });
        } else if (child.type === 'for_in_statement') {
          const left = child.childForFieldName('left');
          const right = child.childForFieldName('right') ?? undefined;
          const isOf = child.children.some((c) => c.type === 'of');
          for (const name of left ? patternNames(left) : []) {
            add({
              kind: 'iterate',
              position: left!.endIndex,
              value: isOf ? right : undefined,
              over: right,
              name,
              node: child,
            });
          }
        }
      }
    };
    const body = scope.type === 'program' ? scope : scope.childForFieldName('body');
    if (body) {
      if (body.type === 'statement_block' || body.type === 'program' || body.type === 'class_body') visit(body);
    }
    for (const list of result.values()) list.sort((a, b) => a.position - b.position);
    this.scopes.set(scope.id, result);
    return result;
  }
}

/** The default value of a parameter (`x = 'a'`, `{ a } = {}`), if it has one. */
function defaultValue(parameter: Node): Node | undefined {
  const pattern = ['required_parameter', 'optional_parameter'].includes(parameter.type) ? parameter : undefined;
  const value =
    pattern?.childForFieldName('value') ??
    (parameter.type === 'assignment_pattern' ? parameter.childForFieldName('right') : null);
  return value ?? undefined;
}

/** An `if` condition without its parentheses. */
function unwrapCondition(node: Node): Node {
  return node.type === 'parenthesized_expression' && node.namedChild(0) ? node.namedChild(0)! : node;
}

const analyses = new WeakMap<Tree, TaintAnalysis>();

/** One analysis per parsed tree, shared by the rules. */
export function taintOf(tree: Tree): TaintAnalysis {
  let analysis = analyses.get(tree);
  if (!analysis) {
    analysis = new TaintAnalysis(tree.rootNode);
    analyses.set(tree, analysis);
  }
  return analysis;
}
