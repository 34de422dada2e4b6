import { parentParameters, resourceNamed, type AppModel, type Resource } from '../app-model.js';
import { detailViewSource, listViewSource } from './read-views.js';
import type { OperationIndex } from './operation-index.js';
import { propertyAccess, propertyKey, quote } from './typescript-source.js';
import { formEntriesOf, objectLiteral, type FormEntry } from './view-fields.js';
import { viewContextOf, type ViewContext } from './view-context.js';
import { childrenOf, collectionRouteExpression } from './view-routes.js';
import { createViewSource, deleteViewSource, editViewSource } from './write-views.js';

// web/src/views/<segment>.tsx: the list, detail, create, edit and delete views of one resource, those of
// its operations that exist, with the typed conversions between form values and the API's bodies.

const FORM_NAMES = [
  'ErrorMessage',
  'Pager',
  'ResourceForm',
  'display',
  'flag',
  'idList',
  'localDateTime',
  'numberText',
  'optionalChoice',
  'optionalDateTime',
  'optionalNumber',
  'optionalText',
  'references',
  'requiredChoice',
  'requiredDateTime',
  'requiredNumber',
  'requiredText',
  'useLoad',
];
const FORM_TYPES = ['FormField', 'FormValues', 'Option'];
const ROUTER_NAMES = ['Link', 'navigate'];

/** The route helpers the views call. */
function routeHelpers(context: ViewContext, views: string): string {
  const { model, resource } = context;
  const parameter = context.nested ? `parents: ${context.parentsType}` : '';
  const itemRoute = /\bitemRoute\(/.test(views);
  const lines: string[] = [];
  if (itemRoute || /\bcollectionRoute\(/.test(views))
    lines.push(
      `function collectionRoute(${parameter}): string {`,
      `  return ${collectionRouteExpression(model, resource)};`,
      '}',
    );
  if (itemRoute)
    lines.push(
      '',
      `function itemRoute(${context.nested ? `${parameter}, ` : ''}id: string): string {`,
      `  return collectionRoute(${context.nested ? 'parents' : ''}) + '/' + encodeURIComponent(id);`,
      '}',
    );
  if (context.parentRoute && resource.parent && /\bparentRoute\(/.test(views)) {
    const parent = resourceNamed(model, resource.parent.target);
    lines.push(
      '',
      `function parentRoute(${parameter}): string {`,
      `  return ${`${collectionRouteExpression(model, parent)} + '/'`.replace(/' \+ '/g, '')} + encodeURIComponent(${propertyAccess('parents', resource.parent.column)});`,
      '}',
    );
  }
  return lines.join('\n').trim();
}

function formHelpers(context: ViewContext, entries: readonly FormEntry[]): string {
  const { resource } = context;
  const parts = [
    `const formFields: readonly FormField[] = [\n${entries.map((entry) => `  ${entry.descriptor},`).join('\n')}\n];`,
    `const emptyValues: FormValues = ${objectLiteral(entries, (entry) => entry.empty, '')};`,
  ];
  if (context.has('update') && context.has('get'))
    parts.push(
      `function valuesOf(item: api.${resource.name}): FormValues {\n  return ${objectLiteral(entries, (entry) => entry.fromItem, '  ')};\n}`,
    );
  if (context.has('create'))
    parts.push(
      `function inputOf(values: FormValues): api.${resource.name}Input {\n  return ${objectLiteral(entries, (entry) => entry.toBody, '  ')};\n}`,
    );
  if (context.has('update'))
    parts.push(
      [
        `function updateOf(values: FormValues, changed: ReadonlySet<string>): api.${resource.name}Update {`,
        `  const update: api.${resource.name}Update = {};`,
        ...entries.map(
          (entry) =>
            `  if (changed.has(${quote(entry.name)})) ${propertyAccess('update', entry.name)} = ${entry.toBody};`,
        ),
        '  return update;',
        '}',
      ].join('\n'),
    );
  return parts.join('\n\n');
}

function importsOf(model: AppModel, resource: Resource, body: string): string {
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(body);
  const react = ['useState'].filter(uses);
  const forms = FORM_NAMES.filter(uses);
  const formTypes = FORM_TYPES.filter(uses);
  const router = ROUTER_NAMES.filter(uses);
  const children = childrenOf(model, resource).filter((child) => uses(`${child.name}List`));
  return [
    ...(react.length > 0 ? [`import { ${react.join(', ')} } from 'react';`] : []),
    "import * as api from '../api';",
    `import { ${[...forms, ...formTypes.map((name) => `type ${name}`)].join(', ')} } from '../forms';`,
    ...(router.length > 0 ? [`import { ${router.join(', ')} } from '../router';`] : []),
    ...children.map((child) => `import { ${child.name}List } from './${child.segment}';`),
  ].join('\n');
}

export function resourceViewsSource(model: AppModel, resource: Resource, operations: OperationIndex): string {
  const context = viewContextOf(model, resource, operations);
  const { entries, loaders } = formEntriesOf(model, resource, operations);
  const writes = context.has('create') || context.has('update');
  const views = [
    ...(context.has('list') ? [listViewSource(context).trimEnd()] : []),
    ...(context.has('get') ? [detailViewSource(context, entries).trimEnd()] : []),
    ...(context.has('create') ? [createViewSource(context).trimEnd()] : []),
    ...(context.has('update') ? [editViewSource(context).trimEnd()] : []),
    ...(context.has('delete') ? [deleteViewSource(context).trimEnd()] : []),
  ].join('\n\n');
  const sections = [
    ...(context.nested
      ? [
          `/** The ids of the items a ${context.singular} nests under, as its routes name them. */\nexport interface ${context.parentsType} {\n${parentParameters(
            model,
            resource,
          )
            .map((column) => `  readonly ${propertyKey(column)}: string;`)
            .join('\n')}\n}`,
        ]
      : []),
    ...(context.has('list') && resource.pagination ? ['const PAGE_SIZE = 20;'] : []),
    routeHelpers(context, views),
    ...(writes ? [...loaders.map((loader) => loader.source), formHelpers(context, entries)] : []),
    views,
  ].filter(Boolean);
  const body = sections.join('\n\n');
  return `// The views of ${context.plural}. Generated from the app model.\n${importsOf(model, resource, body)}\n\n${body}\n`;
}
