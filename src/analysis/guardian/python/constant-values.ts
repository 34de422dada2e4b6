// How the rules read constants: where a constant is only compared or looked up, and what a name bound to one stands for.
import type { Node } from 'web-tree-sitter';
import type { TaintAnalysis } from './taint.js';

/**
 * Whether a constant is only looked up or compared, not chosen: an operand of a comparison, a dictionary
 * key or a subscript index (`verify_mode != ssl.CERT_NONE`, `{ssl.PROTOCOL_TLSv1: …}`, `table[ssl.CERT_NONE]`).
 */
export function onlyReadsConstant(node: Node): boolean {
  let at = node;
  while (at.parent?.type === 'parenthesized_expression') at = at.parent;
  const parent = at.parent;
  if (!parent) return false;
  // (not `and`/`or`: `x or ssl.CERT_NONE` produces the constant)
  if (parent.type === 'comparison_operator') return true;
  if (parent.type === 'pair') return parent.childForFieldName('key')?.id === at.id;
  if (parent.type === 'subscript') return parent.childForFieldName('value')?.id !== at.id;
  return false;
}

/**
 * The key of the translation-table entry a value belongs to: the key of its `pair` in a dictionary, or the
 * index of the subscript it is assigned to (`table[KEY] = value`).
 */
export function tableKey(node: Node): Node | undefined {
  let at = node;
  while (at.parent?.type === 'parenthesized_expression' || at.parent?.type === 'tuple') at = at.parent;
  const parent = at.parent;
  if (parent?.type === 'pair' && parent.childForFieldName('value')?.id === at.id)
    return parent.childForFieldName('key') ?? undefined;
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === at.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'subscript') return left.childForFieldName('subscript') ?? undefined;
  }
  return undefined;
}

/** A name bound once to a literal stands for it (`verify = False`); other expressions answer themselves. */
export function constantValue(node: Node | undefined, taint: TaintAnalysis): Node | undefined {
  if (node?.type !== 'identifier') return node;
  const binding = taint.bindingAt(node.text, node);
  const value = binding && !binding.augmented && binding.statement.type === 'assignment' ? binding.value : undefined;
  return value && ['true', 'false', 'string', 'integer', 'none'].includes(value.type) ? value : node;
}
