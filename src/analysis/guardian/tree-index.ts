import { Node, Tree, type Point } from 'web-tree-sitter';

/**
 * A cache over web-tree-sitter's syntax tree for the duration of one analysis.
 *
 * Every property of a web-tree-sitter `Node` other than `id`, `startIndex` and `startPosition` is computed
 * in WebAssembly: `type`, `endIndex`, `text`, `parent`, `childForFieldName`… each copy the node into the
 * module's memory and call into it, and those answering a node build a fresh `Node` object. Rules ask the
 * same questions many times per file (every JavaScript rule starts from the calls of the file and takes
 * each call's callee apart; the taint engine and the guards look for `if_statement`s in a function body
 * for each use of a variable; the Python helpers walk the tree through `namedChildren`), and
 * `descendantsOfType` walks the whole subtree in WebAssembly each time: together that was most of the
 * analysis time, and made the taint engine quadratic in the size of a scope.
 *
 * While a tree is registered with `indexTree` (the analyzer does so while the rules run, and releases it
 * before deleting the tree):
 * - each node is one object (nodes are canonical by id), so what is learned about it is learned once;
 * - `type`, `endIndex`, `endPosition`, `text`, `parent`, `childForFieldName`, `namedChild`,
 *   `namedChildCount`, `children` and `namedChildren` are computed once per node (the tree is not edited
 *   while it is analysed, so they cannot change);
 * - `descendantsOfType(types)` is answered from one whole-tree walk that collects the nodes of every type
 *   asked for so far for this grammar (in pre-order, with their byte ranges): for the root the list of the
 *   matching nodes, for any other node the slice whose ranges fall inside the node's (binary search; where a
 *   range cannot tell a descendant from a neighbour — same range as the node, or empty at its edge — the
 *   parents decide). A subtree query for a set of types not collected yet walks that subtree as before
 *   until the subtree walks of the file add up to a couple of whole-tree walks.
 * Answers are exactly the library's (same nodes, same order); only the number of WebAssembly calls changes.
 * Trees that are not registered, and `descendantsOfType` with a start or end position, take the library's
 * path unchanged.
 */

interface TypeList {
  readonly nodes: readonly Node[];
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** What is known about one node; a class so that every memo has the same shape. */
class NodeMemo {
  type: string | undefined = undefined;
  endIndex = -1;
  endPosition: Point | undefined = undefined;
  text: string | undefined = undefined;
  parent: Node | null | undefined = undefined;
  children: Node[] | undefined = undefined;
  namedChildren: Node[] | undefined = undefined;
  fields: Map<string, Node | null> | undefined = undefined;
}

const MEMO = Symbol('guardian.node-memo');
const INDEX = Symbol('guardian.tree-index');
type MemoNode = Node & { [MEMO]?: NodeMemo };
type IndexedTree = Tree & { [INDEX]?: TreeIndex };

function getterOf<T>(prototype: object, name: string): (this: T) => unknown {
  const descriptor: { readonly get?: unknown } | undefined = Object.getOwnPropertyDescriptor(prototype, name);
  const get = descriptor?.get;
  if (typeof get !== 'function') throw new Error(`web-tree-sitter: no ${name} getter to cache`);
  return get as (this: T) => unknown;
}

function methodOf<F>(name: string): F {
  const descriptor = Object.getOwnPropertyDescriptor(Node.prototype, name);
  if (typeof descriptor?.value !== 'function') throw new Error(`web-tree-sitter: no ${name} method to cache`);
  return descriptor.value as F;
}

const library = {
  type: getterOf<Node>(Node.prototype, 'type') as (this: Node) => string,
  endIndex: getterOf<Node>(Node.prototype, 'endIndex') as (this: Node) => number,
  endPosition: getterOf<Node>(Node.prototype, 'endPosition') as (this: Node) => Point,
  text: getterOf<Node>(Node.prototype, 'text') as (this: Node) => string,
  parent: getterOf<Node>(Node.prototype, 'parent') as (this: Node) => Node | null,
  children: getterOf<Node>(Node.prototype, 'children') as (this: Node) => Node[],
  namedChildren: getterOf<Node>(Node.prototype, 'namedChildren') as (this: Node) => Node[],
  rootNode: getterOf<Tree>(Tree.prototype, 'rootNode') as (this: Tree) => Node,
  childForFieldName: methodOf<(this: Node, fieldName: string) => Node | null>('childForFieldName'),
  namedChild: methodOf<(this: Node, index: number) => Node | null>('namedChild'),
  descendantsOfType:
    methodOf<(this: Node, types: string | string[], startPosition?: Point, endPosition?: Point) => Node[]>(
      'descendantsOfType',
    ),
};

/** Node types collected by the whole-tree walk, per grammar: those asked for in earlier files. */
const collectedTypes = new WeakMap<object, Set<string>>();

export class TreeIndex {
  private readonly nodes = new Map<number, Node>();
  private readonly lists = new Map<string, TypeList>();
  /** the collecting walk: nodes of `collected` types in pre-order, or undefined before the first query */
  private all: TypeList | undefined;
  private collected: ReadonlySet<string> = new Set();
  private readonly subtreeWork = new Map<string, number>();
  readonly root: Node;
  private readonly size: number;

  constructor(readonly tree: Tree) {
    this.root = this.canonical(library.rootNode.call(tree));
    this.size = Math.max(1, this.root.endIndex - this.root.startIndex);
  }

  /** The one object standing for this node. */
  canonical(node: Node): Node {
    const known = this.nodes.get(node.id);
    if (known) return known;
    this.nodes.set(node.id, node);
    return node;
  }

  canonicalAll(nodes: Node[]): Node[] {
    for (let i = 0; i < nodes.length; i++) nodes[i] = this.canonical(nodes[i]!);
    return nodes;
  }

  /** The nodes of these types in the subtree of `node` (itself included), in pre-order. */
  descendantsOfType(node: Node, types: string | readonly string[]): Node[] {
    const wanted = typeof types === 'string' ? [types] : types;
    if (wanted.includes('ERROR')) return this.canonicalAll(library.descendantsOfType.call(node, [...wanted]));
    const key = wanted.length === 1 ? wanted[0]! : [...wanted].sort().join('\u0000');
    const isRoot = node.id === this.root.id;
    let list = this.lists.get(key) ?? this.fromCollected(key, wanted);
    if (!list) {
      if (!isRoot) {
        // A subtree query for types not collected: walking the subtree is cheaper than walking the whole
        // tree, until such walks add up to a couple of whole-tree walks.
        const work = (this.subtreeWork.get(key) ?? 0) + (node.endIndex - node.startIndex);
        this.subtreeWork.set(key, work);
        if (work < 2 * this.size) return this.canonicalAll(library.descendantsOfType.call(node, [...wanted]));
      }
      list = this.listOf(this.canonicalAll(library.descendantsOfType.call(this.root, [...wanted])));
      this.lists.set(key, list);
      let learned = collectedTypes.get(this.tree.language);
      if (!learned) collectedTypes.set(this.tree.language, (learned = new Set()));
      for (const type of wanted) learned.add(type);
    }
    if (isRoot) return list.nodes.slice();
    const { nodes, starts, ends } = list;
    const start = node.startIndex;
    const end = node.endIndex;
    // first entry starting at or after the node (entries are in pre-order, so their starts never decrease)
    let low = 0;
    let high = nodes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (starts[middle]! < start) low = middle + 1;
      else high = middle;
    }
    const result: Node[] = [];
    for (let i = low; i < nodes.length && starts[i]! <= end; i++) {
      const entryEnd = ends[i]!;
      if (entryEnd > end) continue;
      const entryStart = starts[i]!;
      // Same range as the node: an ancestor, the node itself or a descendant. Empty at either edge: may
      // belong to a neighbour. Anything else inside the range is a descendant.
      const ambiguous =
        (entryStart === start && entryEnd === end) ||
        (entryStart === entryEnd && (entryStart === start || entryStart === end));
      if (!ambiguous || isWithin(nodes[i]!, node)) result.push(nodes[i]!);
    }
    return result;
  }

  /** The list for these types filtered from the collecting walk, when it covers them. */
  private fromCollected(key: string, types: readonly string[]): TypeList | undefined {
    if (!this.all) {
      const learned = collectedTypes.get(this.tree.language);
      this.collected = new Set(learned);
      this.all = this.listOf(
        learned?.size ? this.canonicalAll(library.descendantsOfType.call(this.root, [...learned])) : [],
      );
    }
    if (!types.every((type) => this.collected.has(type))) return undefined;
    const wanted = new Set(types);
    const nodes: Node[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const all = this.all;
    for (let i = 0; i < all.nodes.length; i++) {
      if (!wanted.has(all.nodes[i]!.type)) continue;
      nodes.push(all.nodes[i]!);
      starts.push(all.starts[i]!);
      ends.push(all.ends[i]!);
    }
    const list = { nodes, starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
    this.lists.set(key, list);
    return list;
  }

  private listOf(nodes: Node[]): TypeList {
    const starts = new Int32Array(nodes.length);
    const ends = new Int32Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      starts[i] = nodes[i]!.startIndex;
      ends[i] = nodes[i]!.endIndex;
    }
    return { nodes, starts, ends };
  }
}

/** Whether `candidate` is `ancestor` or one of its descendants (checked through the parents). */
function isWithin(candidate: Node, ancestor: Node): boolean {
  const start = ancestor.startIndex;
  const end = ancestor.endIndex;
  for (let at: Node | null = candidate; at; at = at.parent) {
    if (at.id === ancestor.id) return true;
    if (at.startIndex < start || at.endIndex > end) return false;
  }
  return false;
}

/** Caches this tree's nodes (see above) until `releaseTree`. */
export function indexTree(tree: Tree): TreeIndex {
  const indexed = tree as IndexedTree;
  return (indexed[INDEX] ??= new TreeIndex(tree));
}

export function releaseTree(tree: Tree): void {
  delete (tree as IndexedTree)[INDEX];
}

const indexOfNode = (node: Node) => (node.tree as IndexedTree)[INDEX];

/** The memo of a node of an indexed tree, or undefined when its tree is not indexed. */
function memoOf(node: Node): NodeMemo | undefined {
  if (!indexOfNode(node)) return undefined;
  return ((node as MemoNode)[MEMO] ??= new NodeMemo());
}

const define = (prototype: object, name: string, get: () => unknown) =>
  Object.defineProperty(prototype, name, { get, configurable: true, enumerable: false });

define(Node.prototype, 'type', function (this: Node): string {
  const memo = memoOf(this);
  if (!memo) return library.type.call(this);
  return (memo.type ??= library.type.call(this));
});
define(Node.prototype, 'endIndex', function (this: Node): number {
  const memo = memoOf(this);
  if (!memo) return library.endIndex.call(this);
  if (memo.endIndex < 0) memo.endIndex = library.endIndex.call(this);
  return memo.endIndex;
});
define(Node.prototype, 'endPosition', function (this: Node): Point {
  const memo = memoOf(this);
  if (!memo) return library.endPosition.call(this);
  const position = (memo.endPosition ??= library.endPosition.call(this));
  return { row: position.row, column: position.column };
});
define(Node.prototype, 'text', function (this: Node): string {
  const memo = memoOf(this);
  if (!memo) return library.text.call(this);
  return (memo.text ??= library.text.call(this));
});
define(Node.prototype, 'children', function (this: Node): Node[] {
  const memo = memoOf(this);
  if (!memo) return library.children.call(this);
  return (memo.children ??= indexOfNode(this)!.canonicalAll(library.children.call(this)));
});
define(Node.prototype, 'namedChildren', function (this: Node): Node[] {
  const memo = memoOf(this);
  if (!memo) return library.namedChildren.call(this);
  return (memo.namedChildren ??= indexOfNode(this)!.canonicalAll(library.namedChildren.call(this)));
});
define(Node.prototype, 'parent', function (this: Node): Node | null {
  const memo = memoOf(this);
  if (!memo) return library.parent.call(this);
  if (memo.parent === undefined) {
    const parent = library.parent.call(this);
    memo.parent = parent ? indexOfNode(this)!.canonical(parent) : null;
  }
  return memo.parent;
});
const libraryNamedChildCount = getterOf<Node>(Node.prototype, 'namedChildCount') as (this: Node) => number;
define(Node.prototype, 'namedChildCount', function (this: Node): number {
  return memoOf(this) ? this.namedChildren.length : libraryNamedChildCount.call(this);
});
define(Tree.prototype, 'rootNode', function (this: Tree): Node {
  const index = (this as IndexedTree)[INDEX];
  return index ? index.root : library.rootNode.call(this);
});

Node.prototype.childForFieldName = function childForFieldName(this: Node, fieldName: string): Node | null {
  const memo = memoOf(this);
  if (!memo) return library.childForFieldName.call(this, fieldName);
  const fields = (memo.fields ??= new Map<string, Node | null>());
  let child = fields.get(fieldName);
  if (child === undefined) {
    const found = library.childForFieldName.call(this, fieldName);
    child = found ? indexOfNode(this)!.canonical(found) : null;
    fields.set(fieldName, child);
  }
  return child;
};

Node.prototype.namedChild = function namedChild(this: Node, childIndex: number): Node | null {
  if (!memoOf(this)) return library.namedChild.call(this, childIndex);
  return this.namedChildren[childIndex] ?? null;
};

Node.prototype.descendantsOfType = function descendantsOfType(
  this: Node,
  types: string | string[],
  startPosition?: Point,
  endPosition?: Point,
): Node[] {
  const index = startPosition || endPosition ? undefined : indexOfNode(this);
  return index
    ? index.descendantsOfType(this, types)
    : library.descendantsOfType.call(this, types, startPosition, endPosition);
};
