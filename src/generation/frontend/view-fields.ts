import { resourceNamed, type AppModel, type ModelField, type Resource } from '../app-model.js';
import type { OperationIndex } from './operation-index.js';
import { linkableById } from './view-routes.js';
import { titleCase } from '../naming.js';
import { propertyAccess, propertyKey, quote } from './typescript-source.js';

// What each writable property of a resource needs in its views: the form control, the empty and loaded
// form values, the typed conversion into a request body, and how the detail page shows it.

export interface FormEntry {
  /** the JSON property */
  readonly name: string;
  readonly label: string;
  /** a `FormField` object literal */
  readonly descriptor: string;
  /** the form value of a new item */
  readonly empty: string;
  /** the form value of a stored item, read from `item` */
  readonly fromItem: string;
  /** the body value, converted from `values` */
  readonly toBody: string;
  /** what the detail page shows, read from `item` */
  readonly shown: string;
}

/** A loader of the choices for a link: the target's items, by their label. */
export interface OptionsLoader {
  readonly name: string;
  readonly source: string;
}

/** The expression naming an item of a resource: its first text field, or its id. */
export function labelExpression(resource: Resource, item: string): string {
  const textual = resource.fields.filter((field) => ['string', 'email', 'enum', 'url'].includes(field.type));
  const label = textual.find((field) => field.required) ?? textual[0];
  if (!label) return `${item}.id`;
  const value = propertyAccess(item, label.name);
  return label.required ? value : `${value} ?? ${item}.id`;
}

/** How the choices of a link are loaded; undefined when the target cannot be listed without more ids. */
export function optionsLoaderOf(target: Resource, operations: OperationIndex): OptionsLoader | undefined {
  if (target.parent || !target.operations.includes('list')) return undefined;
  const name = `${target.variable}Options`;
  const items = target.pagination
    ? `(await api.${operations(target, 'list')}({ limit: 100 })).items`
    : `await api.${operations(target, 'list')}()`;
  return {
    name,
    source: [
      `/** The ${target.pluralTitle.toLowerCase()} to choose from${target.pagination ? ' (the first 100)' : ''}. */`,
      `async function ${name}(): Promise<Option[]> {`,
      `  const items = ${items};`,
      `  return items.map((item) => ({ value: item.id, label: String(${labelExpression(target, 'item')}) }));`,
      '}',
    ].join('\n'),
  };
}

function descriptorOf(entries: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const parts = Object.entries(entries)
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${key}: ${typeof value === 'string' && key !== 'values' && key !== 'load' ? quote(value) : String(value)}`,
    );
  return `{ ${parts.join(', ')} }`;
}

const TEXT_KINDS = new Set(['string', 'text', 'email', 'url', 'uuid', 'date']);

function fieldEntry(field: ModelField): FormEntry {
  const { name, required } = field;
  const read = propertyAccess('item', name);
  const label = titleCase(name);
  const key = quote(name);
  const limits =
    field.type === 'integer' || field.type === 'number'
      ? { minimum: field.minimum, maximum: field.maximum }
      : { minLength: field.minLength, maxLength: field.maxLength };
  const values = field.values?.map(quote).join(', ') ?? '';
  const descriptor = descriptorOf({
    kind: field.type,
    name,
    label,
    required,
    ...(field.type === 'enum' ? { values: `[${values}]` } : field.type === 'boolean' ? {} : limits),
    description: field.description,
  });
  const base = { name, label, descriptor, shown: `display(${read})` };
  const orEmpty = required ? read : `${read} ?? ''`;
  if (field.type === 'boolean')
    return { ...base, empty: 'false', fromItem: `${read} === true`, toBody: `flag(values, ${key})` };
  if (field.type === 'integer' || field.type === 'number')
    return {
      ...base,
      empty: "''",
      fromItem: `numberText(${read})`,
      toBody: `${required ? 'required' : 'optional'}Number(values, ${key})`,
    };
  if (field.type === 'datetime')
    return {
      ...base,
      empty: "''",
      fromItem: `localDateTime(${read})`,
      toBody: `${required ? 'required' : 'optional'}DateTime(values, ${key})`,
    };
  if (field.type === 'enum')
    return {
      ...base,
      empty: "''",
      fromItem: orEmpty,
      toBody: `${required ? 'required' : 'optional'}Choice(values, ${key}, [${values}] as const)`,
    };
  if (!TEXT_KINDS.has(field.type)) throw new Error(`no form control for a ${field.type} field`);
  return {
    ...base,
    empty: "''",
    fromItem: orEmpty,
    toBody: `${required ? 'required' : 'optional'}Text(values, ${key})`,
  };
}

/** The writable properties of a resource, as its Input schema lists them (the parent link comes from the route). */
export function formEntriesOf(
  model: AppModel,
  resource: Resource,
  operations: OperationIndex,
): { entries: FormEntry[]; loaders: OptionsLoader[] } {
  const loaders = new Map<string, OptionsLoader>();
  const entries = resource.fields.map(fieldEntry);
  for (const link of resource.belongsTo) {
    if (link === resource.parent) continue;
    const target = resourceNamed(model, link.target);
    const loader = optionsLoaderOf(target, operations);
    if (loader) loaders.set(loader.name, loader);
    const read = propertyAccess('item', link.column);
    const key = quote(link.column);
    const label = titleCase(link.name);
    const route = (id: string) => `'/${target.segment}/' + encodeURIComponent(${id})`;
    const linked = linkableById(target) ? `<Link to={${route(read)}}>{${read}}</Link>` : read;
    entries.push({
      name: link.column,
      label,
      descriptor: loader
        ? descriptorOf({ kind: 'reference', name: link.column, label, required: link.required, load: loader.name })
        : descriptorOf({ kind: 'uuid', name: link.column, label: `${label} id`, required: link.required }),
      empty: "''",
      fromItem: link.required ? read : `${read} ?? ''`,
      toBody: `${link.required ? 'required' : 'optional'}Text(values, ${key})`,
      shown: link.required ? linked : `${read} === null ? '—' : ${linked}`,
    });
  }
  for (const link of resource.manyToMany) {
    const target = resourceNamed(model, link.target);
    const loader = optionsLoaderOf(target, operations);
    if (loader) loaders.set(loader.name, loader);
    const read = propertyAccess('item', link.property);
    const key = quote(link.property);
    const label = titleCase(link.name);
    const each = linkableById(target)
      ? `<Link key={linked} to={'/${target.segment}/' + encodeURIComponent(linked)}>{linked}</Link>`
      : '<span key={linked}>{linked}</span>';
    entries.push({
      name: link.property,
      label,
      descriptor: loader
        ? descriptorOf({ kind: 'references', name: link.property, label, required: false, load: loader.name })
        : descriptorOf({
            kind: 'text',
            name: link.property,
            label: `${label} ids`,
            required: false,
            description: 'ids separated by commas',
          }),
      empty: loader ? '[]' : "''",
      fromItem: loader ? `[...${read}]` : `${read}.join(', ')`,
      toBody: `${loader ? 'references' : 'idList'}(values, ${key})`,
      shown: `${read}.length === 0 ? '—' : ${read}.map((linked) => ${each})`,
    });
  }
  return { entries, loaders: [...loaders.values()].sort((left, right) => left.name.localeCompare(right.name)) };
}

/** An object literal over the entries, one property a line. */
export function objectLiteral(entries: readonly FormEntry[], valueOf: (entry: FormEntry) => string, indent: string) {
  return `{\n${entries.map((entry) => `${indent}  ${propertyKey(entry.name)}: ${valueOf(entry)},`).join('\n')}\n${indent}}`;
}
