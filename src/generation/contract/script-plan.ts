// The part of the contract tests script that reads the document's operations by REST convention: a
// collection path (`/posts`, `/posts/{post_id}/comments`) with list (GET) and create (POST), its item path
// (`/posts/{id}`) with get, update (PATCH or PUT) and delete; the unsecured POSTs answering a token sign in.
// A resource depends on its parent (the collection before a nested path's parameter) and on what its create
// body refers to: `<x>_id` or `<x>_ids` names the collection ending in the plural of x, or else the
// resource whose schema is named x. Plain JavaScript in a raw string: no backticks, no dollar-brace.

export const PLAN_PART = String.raw`
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const isParameter = (segment) => /^\{[^}]+\}$/.test(segment);
const parameterName = (segment) => segment.slice(1, -1);
const segmentsOf = (path) => path.split('/').filter((segment) => segment.length > 0);
const normalized = (text) => text.toLowerCase().replace(/[-_]/g, '');

function isSecured(operation) {
  const requirements = operation.security ?? DOCUMENT.security ?? [];
  return requirements.length > 0 && !requirements.some((requirement) => Object.keys(requirement).length === 0);
}

/** The documented success status: the lowest 2xx. */
function successStatusOf(operation) {
  const statuses = Object.keys(operation.responses ?? {}).filter((status) => /^2\d\d$/.test(status));
  return statuses.length > 0 ? Number(statuses.sort()[0]) : undefined;
}

function responseOf(operation, status) {
  const responses = operation.responses ?? {};
  const response = responses[String(status)] ?? responses[String(status)[0] + 'XX'] ?? responses.default;
  return response && resolved(response);
}

const documents = (operation, status) => Object.hasOwn(operation.responses ?? {}, String(status));

function jsonSchemaOf(content) {
  const type = Object.keys(content ?? {}).find((media) => /json/.test(media));
  return type === undefined ? undefined : content[type].schema;
}

const requestSchemaOf = (operation) => jsonSchemaOf(resolved(operation.requestBody ?? {}).content);
const successSchemaOf = (operation) => jsonSchemaOf(responseOf(operation, successStatusOf(operation))?.content);

function parametersOf(operation, path, place) {
  const pathItem = DOCUMENT.paths[path];
  const all = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map(resolved);
  return all.filter((parameter) => parameter.in === place);
}

/** The name of the property of a sign-in's answer holding the token, or undefined for other operations. */
function tokenPropertyOf(operation) {
  const schema = successSchemaOf(operation);
  if (!schema) return undefined;
  const names = Object.keys(resolved(schema).properties ?? {});
  return names.find((name) => name === 'token' || name === 'access_token') ?? names.find((name) => /token/i.test(name));
}

/** Every operation of the document, in its order, with what the report says of it. */
function operationsOfDocument() {
  const operations = [];
  for (const [path, pathItem] of Object.entries(DOCUMENT.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        operation,
        secured: isSecured(operation),
        entry: { method: method.toUpperCase(), path, operation_id: operation.operationId ?? null, result: 'passed', checks: [] },
        notImplemented: false,
      });
    }
  }
  return operations;
}

function signInOperationsOf(operations) {
  const candidates = operations.filter(
    (candidate) => candidate.method === 'POST' && !candidate.secured && tokenPropertyOf(candidate.operation),
  );
  const register =
    candidates.find((candidate) => /regist|sign-?up/i.test(candidate.path)) ??
    (candidates.length > 1 ? candidates.find((candidate) => successStatusOf(candidate.operation) === 201) : undefined);
  const login = candidates.find((candidate) => candidate !== register);
  return { register, login };
}

function resourcesOf(operations, signIn) {
  const resources = new Map();
  const resourceAt = (collection) => {
    if (!resources.has(collection)) {
      const segments = segmentsOf(collection);
      const statics = segments.filter((segment) => !isParameter(segment));
      resources.set(collection, {
        collection,
        segments,
        name: statics[statics.length - 1] ?? collection,
        depth: segments.filter(isParameter).length,
        operations: {},
        dependencies: [],
        instance: undefined,
        failure: undefined,
      });
    }
    return resources.get(collection);
  };
  for (const operation of operations) {
    if (operation === signIn.register || operation === signIn.login) continue;
    const segments = segmentsOf(operation.path);
    const last = segments[segments.length - 1];
    if (last === undefined) continue;
    if (isParameter(last)) {
      const kind = { GET: 'get', PUT: 'update', PATCH: 'update', DELETE: 'delete' }[operation.method];
      if (!kind) continue;
      const resource = resourceAt('/' + segments.slice(0, -1).join('/'));
      resource.operations[kind] = operation;
      resource.itemParameter = parameterName(last);
      resource.itemPath = operation.path;
    } else {
      const kind = { GET: 'list', POST: 'create' }[operation.method];
      if (kind) resourceAt(operation.path).operations[kind] = operation;
    }
  }
  const all = [...resources.values()];
  for (const resource of all) {
    const { create, get, list } = resource.operations;
    const schema = (create && successSchemaOf(create.operation)) ?? (get && successSchemaOf(get.operation));
    const listed = list && successSchemaOf(list.operation);
    const reference = schema?.$ref ?? (listed && resolved(listed).items?.$ref);
    resource.schemaName = typeof reference === 'string' ? reference.split('/').pop() : undefined;
    resource.itemParameter ??= 'id';
  }
  for (const resource of all) {
    const index = resource.segments.findLastIndex(isParameter);
    if (index > 0) {
      const parentCollection = '/' + resource.segments.slice(0, index).join('/');
      resource.parentParameter = parameterName(resource.segments[index]);
      resource.parent = resources.get(parentCollection) ?? referencedResource(all, resource.parentParameter, resource);
      if (resource.parent) resource.dependencies.push(resource.parent);
    }
    const input = resource.operations.create && requestSchemaOf(resource.operations.create.operation);
    for (const property of Object.keys(resolved(input ?? {}).properties ?? {})) {
      const target = referencedResource(all, property, resource);
      if (target) resource.dependencies.push(target);
    }
  }
  return all;
}

function pluralsOf(word) {
  const forms = [word + 's', word + 'es', word];
  if (/[^aeiou]y$/.test(word)) forms.push(word.slice(0, -1) + 'ies');
  if (/fe?$/.test(word)) forms.push(word.replace(/fe?$/, 'ves'));
  return forms;
}

/** The resource a property or path parameter named <x>_id or <x>_ids refers to, never the resource itself. */
function referencedResource(resources, name, from) {
  const match = /^(.+?)(?:_ids?|Ids?)$/.exec(name);
  if (!match) return undefined;
  const base = normalized(match[1]);
  const others = resources.filter((resource) => resource !== from).sort((left, right) => left.depth - right.depth);
  return (
    others.find((resource) => pluralsOf(base).includes(normalized(resource.name))) ??
    others.find((resource) => resource.schemaName !== undefined && normalized(resource.schemaName) === base)
  );
}

/** Every resource after those it depends on; a loop is broken where it closes. */
function dependencyOrder(resources) {
  const ordered = [];
  const visiting = new Set();
  const visit = (resource) => {
    if (ordered.includes(resource) || visiting.has(resource)) return;
    visiting.add(resource);
    for (const dependency of resource.dependencies) visit(dependency);
    visiting.delete(resource);
    ordered.push(resource);
  };
  for (const resource of resources) visit(resource);
  return ordered;
}
`;
