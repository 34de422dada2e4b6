import path from 'node:path';

export const LANGUAGES = ['javascript', 'typescript', 'tsx', 'python'] as const;
export type Language = (typeof LANGUAGES)[number];

const BY_EXTENSION: Readonly<Record<string, Language>> = {
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  // The TSX grammar parses JSX; plain JavaScript with JSX is common in .js files too, but the JavaScript
  // grammar already accepts JSX.
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.py': 'python',
  '.pyw': 'python',
};

/** The language of a file by its extension, or undefined when Guardian does not analyse it. */
export function languageOfPath(filePath: string): Language | undefined {
  return BY_EXTENSION[path.extname(filePath).toLowerCase()];
}

/** The JavaScript family shares rules: TypeScript and TSX trees use the same node types for expressions. */
export const isJavaScriptFamily = (language: Language) => language !== 'python';
