/**
 * Splitting a shell command line into the argument vector a shell would build, for the autofixes that drop
 * the shell (`exec` → `execFile`, `shell=True` removed). A command is split only when the split is
 * unambiguous: no expansions, globbing, redirections, pipes, control operators, escapes or comments, quotes
 * balanced, and the program a constant word that is not a shell builtin. Non-constant parts (template
 * substitutions, f-string interpolations, concatenated values) must each stand in a word of their own or
 * next to constant text in one word, outside single-quote escapes they could break.
 */

/** A piece of the command: constant text, or an expression whose value the program receives. */
export type CommandPart = { readonly text: string } | { readonly expression: string };

/** A word of the argument vector: its pieces, constant text and expressions, to be concatenated. */
export type Word = readonly CommandPart[];

/** Characters a shell gives a meaning to outside quotes. */
const UNQUOTED_SPECIAL = new Set([...'|&;<>()$`\\*?[]{}~#!\n\r']);
/** Characters a shell gives a meaning to inside double quotes. */
const DOUBLE_QUOTED_SPECIAL = new Set([...'$`\\!']);
const BUILTINS = new Set([
  ...['.', ':', 'alias', 'bg', 'break', 'builtin', 'case', 'cd', 'command', 'continue', 'declare', 'do', 'done'],
  ...['elif', 'else', 'eval', 'exec', 'exit', 'export', 'fg', 'for', 'function', 'getopts', 'hash', 'if'],
  ...['jobs', 'let', 'local', 'read', 'readonly', 'return', 'set', 'shift', 'source', 'then', 'time', 'trap'],
  ...['type', 'typeset', 'ulimit', 'umask', 'unalias', 'unset', 'until', 'wait', 'while', 'select', 'history'],
]);

/** The words of a command, or undefined when a shell could read it in more than one way. */
export function splitCommand(parts: readonly CommandPart[]): Word[] | undefined {
  const words: CommandPart[][] = [];
  let current: CommandPart[] | undefined;
  let quote: "'" | '"' | undefined;
  const push = (part: CommandPart) => {
    current ??= [];
    const last = current.at(-1);
    if ('text' in part && last && 'text' in last) current[current.length - 1] = { text: last.text + part.text };
    else current.push(part);
  };
  for (const part of parts) {
    if ('expression' in part) {
      // inside single quotes a value containing `'` would end the quotes: the shell's reading differs
      if (quote === "'") return undefined;
      push(part);
      continue;
    }
    for (const char of part.text) {
      if (quote) {
        if (char === quote) quote = undefined;
        else if (quote === '"' && DOUBLE_QUOTED_SPECIAL.has(char)) return undefined;
        else push({ text: char });
        if (!quote) current ??= []; // `''` is an empty word
      } else if (char === "'" || char === '"') {
        quote = char;
        current ??= [];
      } else if (char === ' ' || char === '\t') {
        if (current) words.push(current);
        current = undefined;
      } else if (UNQUOTED_SPECIAL.has(char)) return undefined;
      else push({ text: char });
    }
  }
  if (quote) return undefined;
  if (current) words.push(current);
  const program = words[0];
  if (!program || program.length !== 1 || !('text' in program[0]!)) return undefined;
  const name = program[0].text;
  // `NAME=value cmd` sets a variable for the command
  if (BUILTINS.has(name) || name === '' || name.includes('=')) return undefined;
  return words;
}
