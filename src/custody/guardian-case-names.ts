// What Guardian's custody case templates are built from: the names they draw and the shape of a template.
import type { Random } from './random.js';

export const SINK = '\u27easink\u27eb';

export interface Names {
  readonly variable: string;
  readonly helper: string;
  readonly field: string;
  readonly table: string;
  readonly route: string;
  readonly alias: string;
  readonly noise: string;
  readonly number: number;
}

const VARIABLES = ['userId', 'account', 'needle', 'handle', 'slug', 'ref', 'term', 'target', 'entry', 'item'];

const HELPERS = ['compose', 'prepare', 'assemble', 'buildText', 'render', 'shape', 'makeLine', 'joinParts'];

const FIELDS = ['id', 'q', 'name', 'term', 'host', 'file', 'next', 'expr', 'user', 'key'];

const TABLES = ['users', 'orders', 'accounts', 'items', 'events', 'sessions'];

const ROUTES = ['/lookup', '/search', '/find', '/report', '/status', '/detail', '/view'];

const ALIASES = ['input', 'params', 'incoming', 'source', 'data'];

const NOISE = ['tally', 'scale', 'blend', 'measure', 'weigh', 'mix'];

export function namesFor(random: Random): Names {
  return {
    variable: random.pick(VARIABLES),
    helper: random.pick(HELPERS),
    field: random.pick(FIELDS),
    table: random.pick(TABLES),
    route: random.pick(ROUTES),
    alias: random.pick(ALIASES),
    noise: random.pick(NOISE),
    number: random.int(2, 97),
  };
}

export const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

export type Variant = 'vulnerable' | 'clean' | 'tricky';

export interface Template {
  readonly family: string;
  readonly language: 'javascript' | 'python';
  /** the lines of the handler's body after the value is read into `v`; `wrap` is the helper at level ≥ 2 */
  build(names: Names, variant: Variant, level: number): { imports: string[]; body: string[]; helper?: string[] };
}
