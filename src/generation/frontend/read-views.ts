import type { ModelField } from '../app-model.js';
import { childrenOf } from './view-routes.js';
import type { FormEntry } from './view-fields.js';
import { propertyAccess } from './typescript-source.js';
import { titleCase } from '../naming.js';
import type { ViewContext } from './view-context.js';

// The list and detail views of one resource, as TSX source.

function listCell(field: ModelField, context: ViewContext, first: boolean): string {
  const shown = `{display(${propertyAccess('item', field.name)})}`;
  if (!first || !context.has('get')) return `<td>${shown}</td>`;
  return `<td>\n                  <Link to={${context.itemRoute('item.id')}}>${shown}</Link>\n                </td>`;
}

function rowActions(context: ViewContext): string[] {
  const { resource } = context;
  const actions: string[] = [];
  if (context.has('get')) actions.push(`<Link to={${context.itemRoute('item.id')}} testId="row-view">View</Link>`);
  if (context.has('update'))
    actions.push(`<Link to={${context.itemRoute('item.id')} + '/edit'} testId="row-edit">Edit</Link>`);
  if (context.has('delete'))
    actions.push(`<Link to={${context.itemRoute('item.id')} + '/delete'} testId="row-delete">Delete</Link>`);
  // without a detail page, the nested lists are reached from the row
  if (!context.has('get')) {
    for (const child of childrenOf(context.model, resource)) {
      if (!child.operations.includes('list')) continue;
      actions.push(
        `<Link to={${context.itemRoute('item.id')} + '/${child.segment}'} testId="row-${child.segment}">${child.pluralTitle}</Link>`,
      );
    }
  }
  return actions;
}

export function listViewSource(context: ViewContext): string {
  const { resource } = context;
  const paged = resource.pagination;
  const parameters = [...(context.nested ? ['...parents'] : []), ...(paged ? ['limit: PAGE_SIZE', 'offset'] : [])];
  const call = `${context.call('list')}(${parameters.length > 0 ? `{ ${parameters.join(', ')} }` : ''})`;
  const dependencies = [...(paged ? ['offset'] : []), ...context.parentIds];
  const headings = resource.fields.map((field) => `<th>${titleCase(field.name)}</th>`);
  const cells = resource.fields.map((field, index) => listCell(field, context, index === 0));
  const actions = rowActions(context);
  const links = [
    ...(context.has('create')
      ? [
          `<Link to={${context.collectionRoute} + '/new'} testId="${resource.segment}-new">New ${context.singular}</Link>`,
        ]
      : []),
    ...(context.parentRoute
      ? [`<Link to={${context.parentRoute}} testId="${resource.segment}-parent">Back</Link>`]
      : []),
  ];
  return `export function ${resource.name}List(${context.collectionProps}) {
${paged ? '  const [offset, setOffset] = useState(0);\n' : ''}  const loaded = useLoad(() => ${call}, [${dependencies.join(', ')}]);
  const items = loaded.data${paged ? '?.items' : ''};
  return (
    <section data-testid="${resource.segment}-list">
      <h2>${resource.pluralTitle}</h2>
      <div className="actions">${links.map((link) => `\n        ${link}`).join('')}
      </div>
      <ErrorMessage error={loaded.error} />
      {items === undefined ? (
        loaded.error === undefined ? <p>Loading…</p> : null
      ) : items.length === 0 ? (
        <p data-testid="${resource.segment}-empty">No ${context.plural} yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              ${[...headings, '<th>Actions</th>'].join('\n              ')}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-testid="${resource.segment}-row" data-id={item.id}>
                ${cells.join('\n                ')}
                <td className="actions">
                  ${actions.join('\n                  ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}${
        paged
          ? `
      {loaded.data === undefined ? null : (
        <Pager offset={offset} limit={PAGE_SIZE} total={loaded.data.total} onChange={setOffset} />
      )}`
          : ''
      }
    </section>
  );
}
`;
}

function definition(label: string, name: string, shown: string): string {
  return `<dt>${label}</dt>\n            <dd data-testid="field-${name}">{${shown}}</dd>`;
}

function childSections(context: ViewContext): string[] {
  return childrenOf(context.model, context.resource).flatMap((child) => {
    const column = child.parent?.column ?? '';
    const parents = `{ ${context.nested ? '...parents, ' : ''}${column}: id }`;
    if (child.operations.includes('list')) return [`<${child.name}List parents={${parents}} />`];
    if (!child.operations.includes('create')) return [];
    return [
      `<Link to={${context.itemRoute('id')} + '/${child.segment}/new'} testId="${child.segment}-new">New ${child.title.toLowerCase()}</Link>`,
    ];
  });
}

export function detailViewSource(context: ViewContext, entries: readonly FormEntry[]): string {
  const { resource } = context;
  const parent = resource.parent;
  const rows = [
    definition('Id', 'id', 'item.id'),
    ...entries.map((entry) => definition(entry.label, entry.name, entry.shown)),
    ...(parent
      ? [
          definition(
            titleCase(parent.name),
            parent.column,
            context.parentRoute
              ? `<Link to={${context.parentRoute}}>{${propertyAccess('item', parent.column)}}</Link>`
              : propertyAccess('item', parent.column),
          ),
        ]
      : []),
    definition('Created', 'created_at', 'display(item.created_at)'),
    definition('Updated', 'updated_at', 'display(item.updated_at)'),
  ];
  const actions = [
    ...(context.has('update')
      ? [`<Link to={${context.itemRoute('id')} + '/edit'} testId="edit-link">Edit</Link>`]
      : []),
    ...(context.has('delete')
      ? [`<Link to={${context.itemRoute('id')} + '/delete'} testId="delete-link">Delete</Link>`]
      : []),
    ...(context.has('list')
      ? [`<Link to={${context.collectionRoute}} testId="back-link">All ${context.plural}</Link>`]
      : context.parentRoute
        ? [`<Link to={${context.parentRoute}} testId="back-link">Back</Link>`]
        : []),
  ];
  const children = childSections(context);
  return `export function ${resource.name}Detail(${context.itemProps}) {
  const loaded = useLoad(() => ${context.call('get')}(${context.itemParameters}), [id${context.parentIds.map((id) => `, ${id}`).join('')}]);
  const item = loaded.data;
  return (
    <section data-testid="${resource.segment}-detail">
      <h2>${resource.title}</h2>
      <ErrorMessage error={loaded.error} />
      {item === undefined ? (
        loaded.error === undefined ? <p>Loading…</p> : null
      ) : (
        <>
          <dl>
            ${rows.join('\n            ')}
          </dl>
          <div className="actions">${actions.map((action) => `\n            ${action}`).join('')}
          </div>${children.map((child) => `\n          ${child}`).join('')}
        </>
      )}
    </section>
  );
}
`;
}
