import { collectionPath, resourceNamed, type AppModel, type ModelField, type Resource } from '../app-model.js';
import { collectionPattern } from '../frontend/view-routes.js';

// What the browser smoke test of a generated web app does, derived from the model the app was generated
// from: sign in when the app has accounts, then for each resource (the ones it links to first) open its
// list, create an item through its form with values its validation accepts, and find the item in the list.
// A resource whose item cannot be made (no create operation, or a required link to a resource that cannot
// be made) is only listed, with the reason.

/** How one form control is set. `reference`: choose (or type) the id of the item made for `resource`. */
export type SmokeInput =
  | { readonly testId: string; readonly action: 'fill'; readonly value: string }
  | { readonly testId: string; readonly action: 'select'; readonly value: string }
  | { readonly testId: string; readonly action: 'check' }
  | {
      readonly testId: string;
      readonly action: 'reference';
      readonly resource: string;
      /** a select of the target's items, or a text box for its id when the target cannot be listed alone */
      readonly control: 'select' | 'text';
    };

export interface SmokeResource {
  readonly resource: string;
  readonly segment: string;
  /** the view's route after the `#`, `:column` standing for the id of the item made for each parent */
  readonly route: string;
  /** the parents' columns in `route`, outermost first, with the resource whose item each one takes */
  readonly parents: readonly { readonly column: string; readonly resource: string }[];
  /** the API's collection path (`/api/posts/{post_id}/comments`): where the create form posts */
  readonly apiPath: string;
  /** the list view's test id; undefined when the resource has no list operation */
  readonly listTestId: string | undefined;
  readonly create:
    | {
        readonly formTestId: string;
        readonly inputs: readonly SmokeInput[];
        /** a value the list shows for the new item, when one of its fields is plain text */
        readonly shown: string | undefined;
      }
    | undefined;
  /** why no item is made, when none is */
  readonly createSkipped: string | undefined;
}

export interface SmokePlan {
  /** register an account first: the app has accounts */
  readonly signIn: boolean;
  readonly resources: readonly SmokeResource[];
}

const pad = (text: string, field: ModelField) => {
  const longEnough = text.padEnd(field.minLength ?? 0, 'x');
  return field.maxLength === undefined ? longEnough : longEnough.slice(0, Math.max(field.maxLength, 1));
};

function numberOf(field: ModelField): string {
  const low = field.minimum ?? Number.NEGATIVE_INFINITY;
  const high = field.maximum ?? Number.POSITIVE_INFINITY;
  const wanted = Math.min(Math.max(2, low), high);
  // an integer field takes the nearest whole number inside the bounds
  if (field.type === 'integer') {
    const whole = Math.ceil(wanted);
    return String(whole <= high ? whole : Math.floor(wanted));
  }
  return String(wanted);
}

/** A value the generated form and the API both accept for a field; `unique` fields differ per resource. */
export function smokeValue(field: ModelField, resource: Resource): SmokeInput | undefined {
  const testId = `input-${field.name}`;
  const tag = `${resource.segment}-${field.name}`;
  switch (field.type) {
    case 'boolean':
      return { testId, action: 'check' };
    case 'enum':
      return field.values?.[0] === undefined ? undefined : { testId, action: 'select', value: field.values[0] };
    case 'integer':
    case 'number':
      return { testId, action: 'fill', value: numberOf(field) };
    case 'date':
      return { testId, action: 'fill', value: '2026-01-02' };
    case 'datetime':
      return { testId, action: 'fill', value: '2026-01-02T03:04:05' };
    case 'email':
      return { testId, action: 'fill', value: `smoke.${tag}@example.com` };
    case 'url':
      return { testId, action: 'fill', value: `https://example.com/${tag}` };
    case 'uuid':
      return { testId, action: 'fill', value: '5f0c8e4e-3a7b-4c1d-9e2f-0a1b2c3d4e5f' };
    case 'string':
    case 'text':
      return { testId, action: 'fill', value: pad(`smoke ${tag}`, field) };
  }
}

/** Resources in an order where every required link points at one before it (cycles keep model order). */
function dependencyOrder(model: AppModel): Resource[] {
  const ordered: Resource[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (resource: Resource) => {
    if (placed.has(resource.name) || visiting.has(resource.name)) return;
    visiting.add(resource.name);
    for (const link of resource.belongsTo) if (link.required) visit(resourceNamed(model, link.target));
    visiting.delete(resource.name);
    placed.add(resource.name);
    ordered.push(resource);
  };
  for (const resource of model.resources) visit(resource);
  return ordered;
}

export function smokePlanOf(model: AppModel): SmokePlan {
  const made = new Set<string>();
  const resources = dependencyOrder(model).map((resource): SmokeResource => {
    const parents: { column: string; resource: string }[] = [];
    for (let link = resource.parent, current = resource; link;) {
      parents.unshift({ column: link.column, resource: link.target });
      current = resourceNamed(model, link.target);
      link = current.parent;
    }
    const missing = resource.belongsTo.find((link) => link.required && !made.has(link.target));
    const createSkipped = !resource.operations.includes('create')
      ? 'it has no create operation'
      : missing
        ? `it needs a ${missing.target}, and none could be made`
        : undefined;
    let create: SmokeResource['create'];
    if (createSkipped === undefined) {
      made.add(resource.name);
      const inputs: SmokeInput[] = resource.fields.flatMap((field) => smokeValue(field, resource) ?? []);
      for (const link of resource.belongsTo) {
        if (!link.required || link === resource.parent) continue;
        const target = resourceNamed(model, link.target);
        const listable = !target.parent && target.operations.includes('list');
        inputs.push({
          testId: `input-${link.column}`,
          action: 'reference',
          resource: link.target,
          control: listable ? 'select' : 'text',
        });
      }
      const plain = resource.fields.find((field) => ['string', 'text', 'email', 'url'].includes(field.type));
      const shownInput = plain && inputs.find((input) => input.testId === `input-${plain.name}`);
      create = {
        formTestId: `${resource.segment}-form`,
        inputs,
        shown: shownInput?.action === 'fill' ? shownInput.value : undefined,
      };
    }
    return {
      resource: resource.name,
      segment: resource.segment,
      route: collectionPattern(model, resource),
      parents,
      apiPath: `/api${collectionPath(model, resource)}`,
      listTestId: resource.operations.includes('list') ? `${resource.segment}-list` : undefined,
      create,
      createSkipped,
    };
  });
  return { signIn: model.auth, resources };
}
