// Names of generated things. Generated code is read by people, so names follow the conventions of each
// place they land: PascalCase types, camelCase variables, snake_case SQL and JSON, kebab-case URLs and files.

/** The words of a name written in any of camelCase, PascalCase, snake_case, kebab-case or with spaces. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export const pascalCase = (name: string) => wordsOf(name).map(capitalize).join('');
export const camelCase = (name: string) => {
  const pascal = pascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
};
export const snakeCase = (name: string) => wordsOf(name).join('_');
export const kebabCase = (name: string) => wordsOf(name).join('-');
export const titleCase = (name: string) => wordsOf(name).map(capitalize).join(' ');

const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  person: 'people',
  child: 'children',
  man: 'men',
  woman: 'women',
  mouse: 'mice',
  goose: 'geese',
  foot: 'feet',
  tooth: 'teeth',
};
const UNCOUNTABLE = new Set(['data', 'information', 'equipment', 'news', 'series', 'species', 'metadata', 'media']);

/** English plural of the last word of a name (`blogPost` → `blogPosts`, `category` → `categories`). */
export function pluralize(name: string): string {
  const words = wordsOf(name);
  const last = words.at(-1) ?? '';
  words[words.length - 1] = pluralWord(last);
  return words.join('_');
}

function pluralWord(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  const irregular = IRREGULAR_PLURALS[word];
  if (irregular) return irregular;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** English singular of the last word of a name (`categories` → `category`); names already singular stay. */
export function singularize(name: string): string {
  const words = wordsOf(name);
  const last = words.at(-1) ?? '';
  words[words.length - 1] = singularWord(last);
  return words.join('_');
}

function singularWord(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  const irregular = Object.entries(IRREGULAR_PLURALS).find(([, plural]) => plural === word);
  if (irregular) return irregular[0];
  if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/[^su]s$/.test(word)) return word.slice(0, -1);
  return word;
}
