import { createRequire } from 'node:module';
import { Language as TreeSitterLanguage, Parser, type Tree } from 'web-tree-sitter';
import type { Language } from '../languages.js';

const require = createRequire(import.meta.url);

/** Each grammar package ships its WebAssembly build; resolving through the package keeps paths honest. */
const GRAMMAR_FILES: Readonly<Record<Language, string>> = {
  javascript: 'tree-sitter-javascript/tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript/tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-typescript/tree-sitter-tsx.wasm',
  python: 'tree-sitter-python/tree-sitter-python.wasm',
};

let initialised: Promise<void> | undefined;
const languages = new Map<Language, Promise<TreeSitterLanguage>>();
const parsers = new Map<Language, Parser>();

async function parserFor(language: Language): Promise<Parser> {
  initialised ??= Parser.init();
  await initialised;
  let loaded = languages.get(language);
  if (!loaded) {
    loaded = TreeSitterLanguage.load(require.resolve(GRAMMAR_FILES[language]));
    languages.set(language, loaded);
  }
  const grammar = await loaded;
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(grammar);
    parsers.set(language, parser);
  }
  return parser;
}

/**
 * Parses source code into a concrete syntax tree. Tree-sitter recovers from syntax errors, so a tree is
 * always answered; `tree.rootNode.hasError` tells whether parts of it are error nodes. The caller must
 * `tree.delete()` it when done (WebAssembly memory is not garbage-collected).
 */
export async function parseSource(code: string, language: Language): Promise<Tree> {
  const parser = await parserFor(language);
  const tree = parser.parse(code);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${language}`);
  return tree;
}

/** Whether code parses without error nodes (the tree is freed before answering). */
export async function parsesCleanly(code: string, language: Language): Promise<boolean> {
  const tree = await parseSource(code, language);
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}
