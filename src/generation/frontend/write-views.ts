import { childrenOf } from './view-routes.js';
import type { ViewContext } from './view-context.js';

// The create, edit and delete views of one resource, as TSX source.

/** Where a page goes once its item is stored: the item, else the list, else the parent, else home. */
function afterSaving(context: ViewContext, id: string): string {
  if (context.has('get')) return context.itemRoute(id);
  return afterDeleting(context);
}

function afterDeleting(context: ViewContext): string {
  if (context.has('list')) return context.collectionRoute;
  return context.parentRoute ?? "'/'";
}

export function createViewSource(context: ViewContext): string {
  const { resource } = context;
  const call = `${context.call('create')}(${context.nested ? 'parents, ' : ''}inputOf(values))`;
  const body = context.has('get')
    ? [`const created = await ${call};`, `navigate(${afterSaving(context, 'created.id')});`]
    : [`await ${call};`, `navigate(${afterDeleting(context)});`];
  return `export function ${resource.name}Create(${context.collectionProps}) {
  return (
    <section data-testid="${resource.segment}-create">
      <h2>New ${context.singular}</h2>
      <ResourceForm
        testId="${resource.segment}-form"
        fields={formFields}
        initial={emptyValues}
        submitLabel="Create"
        onSubmit={async (values) => {
          ${body.join('\n          ')}
        }}
      />
    </section>
  );
}
`;
}

export function editViewSource(context: ViewContext): string {
  const { resource } = context;
  const after = afterSaving(context, 'id');
  // the form sits 6 spaces in without a detail to load first, 8 inside the loaded branch
  const form = (initial: string, indent: string) =>
    [
      '<ResourceForm',
      `  testId="${resource.segment}-form"`,
      '  fields={formFields}',
      `  initial={${initial}}`,
      ...(context.has('get') ? [] : ['  partial']),
      '  submitLabel="Save"',
      '  onSubmit={async (values, changed) => {',
      `    if (changed.size > 0) await ${context.call('update')}(${context.itemParameters}, updateOf(values, changed));`,
      `    navigate(${after});`,
      '  }}',
      '/>',
    ].join(`\n${indent}`);
  if (!context.has('get')) {
    return `export function ${resource.name}Edit(${context.itemProps}) {
  return (
    <section data-testid="${resource.segment}-edit">
      <h2>Edit ${context.singular}</h2>
      <p>Only the fields you fill in are changed.</p>
      ${form('emptyValues', '      ')}
    </section>
  );
}
`;
  }
  return `export function ${resource.name}Edit(${context.itemProps}) {
  const loaded = useLoad(() => ${context.call('get')}(${context.itemParameters}), [id${context.parentIds.map((id) => `, ${id}`).join('')}]);
  return (
    <section data-testid="${resource.segment}-edit">
      <h2>Edit ${context.singular}</h2>
      <ErrorMessage error={loaded.error} />
      {loaded.data === undefined ? (
        loaded.error === undefined ? <p>Loading…</p> : null
      ) : (
        ${form('valuesOf(loaded.data)', '        ')}
      )}
    </section>
  );
}
`;
}

export function deleteViewSource(context: ViewContext): string {
  const { resource } = context;
  const children = childrenOf(context.model, resource).map((child) => child.pluralTitle.toLowerCase());
  const consequence = children.length > 0 ? ` Its ${children.join(' and ')} are deleted with it.` : '';
  const cancel = context.has('get')
    ? context.itemRoute('id')
    : context.has('list')
      ? context.collectionRoute
      : (context.parentRoute ?? "'/'");
  return `export function ${resource.name}Delete(${context.itemProps}) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const confirm = () => {
    setBusy(true);
    setError(undefined);
    ${context.call('delete')}(${context.itemParameters}).then(
      () => navigate(${afterDeleting(context)}),
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };
  return (
    <section data-testid="${resource.segment}-delete">
      <h2>Delete ${context.singular}</h2>
      <p>Delete this ${context.singular}? This cannot be undone.${consequence}</p>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" data-testid="confirm-delete" disabled={busy} onClick={confirm}>
          Delete ${context.singular}
        </button>
        <Link to={${cancel}} testId="cancel-delete">
          Cancel
        </Link>
      </div>
    </section>
  );
}
`;
}
