// A syntax check of Mermaid flowcharts (`flowchart LR` / `graph TD` diagrams), for diagrams a model writes.
// Mermaid's own parser needs a browser DOM; this covers the flowchart grammar lvlup's diagrams use: a header
// with a direction, node statements with their shapes, chains of links (with or without labels, `&` for
// several nodes), subgraphs and styling lines. It answers what is wrong, line by line; none when it parses.

const HEADER = /^(flowchart|graph)\s+(TB|TD|BT|RL|LR)\s*;?$/;
const STYLING = /^(classDef|class|style|linkStyle|click|direction)\s+\S/;
const IDENTIFIER = /^[A-Za-z0-9_]+/;
/** node shapes, longest opening first: [opening, closing] */
const SHAPES: readonly (readonly [string, string])[] = [
  ['(((', ')))'],
  ['([', '])'],
  ['[(', ')]'],
  ['[[', ']]'],
  ['((', '))'],
  ['{{', '}}'],
  ['[/', '/]'],
  ['[/', '\\]'],
  ['[\\', '\\]'],
  ['[\\', '/]'],
  ['>', ']'],
  ['[', ']'],
  ['(', ')'],
  ['{', '}'],
];
/** a link: arrow heads, lines of -, = or -., an optional |label| */
const LINK = /^(<|o|x)?(-{2,}|={2,}|-\.+-)(>|o|x)?(\|[^|]*\|)?/;
/** a link with its label between the dashes: `-- text -->` */
const LABELLED_LINK = /^(<)?(--|==|-\.)\s[^\n]*?\s(-{2,}>|={2,}>|\.->|-{2,}|={2,}|\.-)/;

class Cursor {
  position = 0;
  readonly nodes: string[] = [];
  constructor(readonly text: string) {}
  get rest() {
    return this.text.slice(this.position);
  }
  skipSpaces() {
    while (this.text[this.position] === ' ' || this.text[this.position] === '\t') this.position += 1;
  }
  done() {
    this.skipSpaces();
    return this.position >= this.text.length || this.text[this.position] === ';';
  }
}

function node(cursor: Cursor): string | undefined {
  cursor.skipSpaces();
  const id = IDENTIFIER.exec(cursor.rest);
  if (!id) return `expected a node id at "${cursor.rest.slice(0, 20)}"`;
  cursor.position += id[0].length;
  cursor.nodes.push(id[0]);
  const shape = SHAPES.find(([opening]) => cursor.rest.startsWith(opening));
  if (shape) {
    const [opening, closing] = shape;
    cursor.position += opening.length;
    const rest = cursor.rest;
    if (rest.startsWith('"')) {
      const quote = rest.indexOf('"', 1);
      if (quote < 0) return `an unclosed quote in the label of ${id[0]}`;
      if (!rest.startsWith(closing, quote + 1)) return `the shape of ${id[0]} is not closed with ${closing}`;
      cursor.position += quote + 1 + closing.length;
    } else {
      const end = rest.indexOf(closing);
      if (end < 0) return `the shape of ${id[0]} opened with ${opening} is not closed with ${closing}`;
      // Mermaid refuses brackets and quotes in a label that is not quoted
      if (/["[\](){}]/.test(rest.slice(0, end))) {
        return `the label of ${id[0]} holds brackets or quotes: put it in double quotes`;
      }
      cursor.position += end + closing.length;
    }
  }
  const className = /^:::[A-Za-z0-9_-]+/.exec(cursor.rest);
  if (className) cursor.position += className[0].length;
  return undefined;
}

function statement(cursor: Cursor): string | undefined {
  let problem = node(cursor);
  if (problem) return problem;
  for (;;) {
    if (cursor.done()) return undefined;
    if (cursor.rest.startsWith('&')) {
      cursor.position += 1;
      problem = node(cursor);
      if (problem) return problem;
      continue;
    }
    const link = LABELLED_LINK.exec(cursor.rest) ?? LINK.exec(cursor.rest);
    if (!link) return `expected a link (-->, ---, -.->, ==>) or the end of the line at "${cursor.rest.slice(0, 20)}"`;
    cursor.position += link[0].length;
    problem = node(cursor);
    if (problem) return problem;
  }
}

/**
 * Parses a Mermaid flowchart: what is wrong with it (`line N: problem`, empty when it parses) and the ids
 * of the nodes it names.
 */
export function checkMermaidFlowchart(diagram: string): { problems: string[]; nodes: Set<string> } {
  const lines = diagram
    .split('\n')
    .map((line, index) => ({ number: index + 1, text: line.trim() }))
    .filter((line) => line.text !== '' && !line.text.startsWith('%%'));
  const [header, ...body] = lines;
  const nodes = new Set<string>();
  if (!header || !HEADER.test(header.text)) {
    return {
      problems: [
        `line ${header?.number ?? 1}: a flowchart starts with "flowchart" or "graph" and a direction (TB, TD, BT, RL, LR)`,
      ],
      nodes,
    };
  }
  const problems: string[] = [];
  let depth = 0;
  for (const line of body) {
    if (/^subgraph(\s|$)/.test(line.text)) {
      depth += 1;
      continue;
    }
    if (line.text === 'end') {
      depth -= 1;
      if (depth < 0) problems.push(`line ${line.number}: "end" without a subgraph`);
      continue;
    }
    if (STYLING.test(line.text)) continue;
    const cursor = new Cursor(line.text);
    const problem = statement(cursor);
    if (problem) problems.push(`line ${line.number}: ${problem}`);
    else for (const id of cursor.nodes) nodes.add(id);
  }
  if (depth > 0) problems.push('a subgraph is not closed with "end"');
  if (nodes.size === 0 && problems.length === 0) problems.push('the flowchart has no nodes');
  return { problems, nodes };
}
