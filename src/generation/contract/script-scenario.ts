// The part of the contract tests script that exercises the operations: sign up and in when the document has
// a sign-in, then each resource after those it depends on (create, list, get, update, with their negative
// checks), then the deletes in the reverse order, each followed by a read that must answer 404.
// Plain JavaScript in a raw string: no backticks, no dollar-brace.

export const SCENARIO_PART = String.raw`
let token;
const tokenFor = (operation) => (operation.secured ? token : undefined);
const REFERENCE_NAME = /^.+(?:_ids?|Ids?)$/;

/**
 * A valid body of the schema. Each property is asked of referenceOf first: an id to send, null to leave the
 * property out, or undefined for a sample value.
 */
async function sampleBody(schema, referenceOf) {
  if (!schema) return undefined;
  const own = resolved(schema);
  if (mainTypeOf(own) !== 'object') return sampleValue(own);
  const required = new Set(own.required ?? []);
  const body = {};
  for (const [name, property] of Object.entries(own.properties ?? {})) {
    const propertySchema = resolved(property);
    if (propertySchema.readOnly) continue;
    const reference = await referenceOf(name, required.has(name));
    if (reference === null) continue;
    if (reference === undefined) body[name] = sampleValue(propertySchema);
    else body[name] = mainTypeOf(propertySchema) === 'array' ? [reference] : reference;
  }
  return body;
}

/** The references of a resource's bodies: an id of the resource referred to, made first when needed. */
function referencesOf(resources, resource, trail) {
  return async (name, required) => {
    const target = REFERENCE_NAME.test(name) ? referencedResource(resources, name, resource) : undefined;
    if (!target) return REFERENCE_NAME.test(name) && !required ? null : undefined;
    try {
      return (await instanceOf(resources, target, trail)).id;
    } catch (error) {
      if (required) throw new ContractError(name + ' needs ' + target.collection + ': ' + messageOf(error));
      return null;
    }
  };
}

function idOf(resource, body) {
  const id = body?.[resource.itemParameter] ?? body?.id;
  if (id === undefined || id === null) throw new ContractError('the answer holds no ' + resource.itemParameter);
  return id;
}

const itemValues = (resource, instance, id) => ({ ...instance.params, [resource.itemParameter]: id ?? instance.id });

function pathParameterSchema(operation, name) {
  return parametersOf(operation.operation, operation.path, 'path').find((parameter) => parameter.name === name)?.schema ?? {};
}

/** The path parameters of the resource's collection: its parent's, and its parent's id. */
async function parentValuesOf(resources, resource, trail) {
  if (!resource.parentParameter) return {};
  if (!resource.parent) throw new ContractError('no collection answers to the path parameter ' + resource.parentParameter);
  const parent = await instanceOf(resources, resource.parent, trail);
  return { ...parent.params, [resource.parentParameter]: parent.id };
}

/** The one instance of the resource the checks use, made (with what it depends on) on first use. */
async function instanceOf(resources, resource, trail = []) {
  if (resource.instance) return resource.instance;
  if (resource.failure) throw new ContractError(resource.failure);
  if (trail.includes(resource)) throw new ContractError('a loop of required references through ' + resource.collection);
  try {
    resource.instance = await madeInstance(resources, resource, [...trail, resource]);
    return resource.instance;
  } catch (error) {
    resource.failure = 'no ' + resource.collection + ' item could be made: ' + messageOf(error);
    throw new ContractError(resource.failure);
  }
}

async function madeInstance(resources, resource, trail) {
  const params = await parentValuesOf(resources, resource, trail);
  const { create, list } = resource.operations;
  if (!create) {
    if (!list) throw new ContractError('the document offers neither a create nor a list');
    const answer = await request('GET', filledPath(list.path, params), { token: tokenFor(list) });
    if (!Array.isArray(answer.body) || answer.body.length === 0) throw new ContractError('no create, and the list is empty');
    return { params, id: idOf(resource, answer.body[0]) };
  }
  const body = await sampleBody(requestSchemaOf(create.operation), referencesOf(resources, resource, trail));
  const answer = await request('POST', filledPath(create.path, params), { body, token: tokenFor(create) });
  const status = successStatusOf(create.operation);
  checkAnswer(create, 'creates one', answer, status, { success: true });
  // another success status fails the check above, but what it made still serves the other checks
  if (answer.status < 200 || answer.status > 299) throw new ContractError('the create answered ' + answer.status);
  return { params, id: idOf(resource, answer.body) };
}

async function signIn({ register, login }) {
  const first = register ?? login;
  if (!first) return;
  const schema = requestSchemaOf(first.operation);
  const credentials = await sampleBody(schema, async () => undefined);
  for (const operation of [register, login].filter(Boolean)) {
    const path = filledPath(operation.path, {});
    const answer = await request('POST', path, { body: credentials });
    const signedIn = checkAnswer(operation, 'signs in', answer, successStatusOf(operation.operation), { success: true });
    if (signedIn) token = answer.body[tokenPropertyOf(operation.operation)];
    if (operation === register && documents(operation.operation, 409)) {
      checkAnswer(operation, '409 for the same account again', await request('POST', path, { body: credentials }), 409);
    }
    if (operation === login && register && documents(operation.operation, 401)) {
      const wrong = { ...credentials };
      for (const [name, property] of Object.entries(resolved(schema).properties ?? {})) {
        if (mainTypeOf(property) === 'string' && !resolved(property).format) wrong[name] = sampleValue(property);
      }
      checkAnswer(operation, '401 for a wrong secret', await request('POST', path, { body: wrong }), 401);
    }
    if (documents(operation.operation, 400)) {
      const invalid = invalidBodyOf(requestSchemaOf(operation.operation), credentials);
      const answer = await request('POST', path, { body: invalid.body });
      checkAnswer(operation, '400 for an invalid body (' + invalid.detail + ')', answer, 400);
    }
  }
}

async function createChecks(resources, resource, create, params) {
  const schema = requestSchemaOf(create.operation);
  const path = filledPath(create.path, params);
  const references = referencesOf(resources, resource, []);
  if (create.secured) {
    const answer = await request('POST', path, { body: await sampleBody(schema, references) });
    checkAnswer(create, '401 without a token', answer, 401);
  }
  if (documents(create.operation, 400)) {
    const invalid = invalidBodyOf(schema, await sampleBody(schema, references));
    const answer = await request('POST', path, { body: invalid.body, token: tokenFor(create) });
    checkAnswer(create, '400 for an invalid body (' + invalid.detail + ')', answer, 400);
  }
  if (resource.parentParameter && documents(create.operation, 404)) {
    const unknown = unknownIdOf(pathParameterSchema(create, resource.parentParameter));
    const answer = await request('POST', filledPath(create.path, { ...params, [resource.parentParameter]: unknown }), {
      body: await sampleBody(schema, references),
      token: tokenFor(create),
    });
    checkAnswer(create, '404 under an unknown ' + resource.parentParameter, answer, 404);
  }
}

async function listChecks(resource, list, params) {
  const path = filledPath(list.path, params);
  const query = {};
  const queryParameters = parametersOf(list.operation, list.path, 'query');
  for (const parameter of queryParameters) query[parameter.name] = String(parameter.schema?.default ?? sampleValue(parameter.schema ?? {}));
  checkAnswer(list, 'lists', await request('GET', path, { query, token: tokenFor(list) }), successStatusOf(list.operation), { success: true });
  if (list.secured) checkAnswer(list, '401 without a token', await request('GET', path, { query }), 401);
  if (documents(list.operation, 400)) {
    const numeric = queryParameters.find((parameter) => ['integer', 'number'].includes(mainTypeOf(parameter.schema ?? {})));
    const malformed = resource.parentParameter && malformedIdOf(pathParameterSchema(list, resource.parentParameter));
    if (numeric) {
      const answer = await request('GET', path, { query: { ...query, [numeric.name]: 'not-a-number' }, token: tokenFor(list) });
      checkAnswer(list, '400 for a malformed ' + numeric.name, answer, 400);
    } else if (malformed) {
      const answer = await request('GET', filledPath(list.path, { ...params, [resource.parentParameter]: malformed }), { token: tokenFor(list) });
      checkAnswer(list, '400 for a malformed ' + resource.parentParameter, answer, 400);
    }
  }
  if (resource.parentParameter && documents(list.operation, 404)) {
    const unknown = unknownIdOf(pathParameterSchema(list, resource.parentParameter));
    const answer = await request('GET', filledPath(list.path, { ...params, [resource.parentParameter]: unknown }), { token: tokenFor(list) });
    checkAnswer(list, '404 under an unknown ' + resource.parentParameter, answer, 404);
  }
}

/** 401 without a token, 404 for an unknown id and 400 for a malformed one, where the document has them. */
async function itemChecks(resource, operation, instance, body) {
  const idSchema = pathParameterSchema(operation, resource.itemParameter);
  const path = filledPath(operation.path, itemValues(resource, instance));
  if (operation.secured) checkAnswer(operation, '401 without a token', await request(operation.method, path, { body: await body() }), 401);
  if (documents(operation.operation, 404)) {
    const unknown = filledPath(operation.path, itemValues(resource, instance, unknownIdOf(idSchema)));
    const answer = await request(operation.method, unknown, { body: await body(), token: tokenFor(operation) });
    checkAnswer(operation, '404 for an unknown ' + resource.itemParameter, answer, 404);
  }
  const malformed = malformedIdOf(idSchema);
  if (malformed !== undefined && documents(operation.operation, 400)) {
    const wrong = filledPath(operation.path, itemValues(resource, instance, malformed));
    const answer = await request(operation.method, wrong, { body: await body(), token: tokenFor(operation) });
    checkAnswer(operation, '400 for a malformed ' + resource.itemParameter, answer, 400);
  }
}

async function exerciseResource(resources, resource) {
  const { create, list, get, update } = resource.operations;
  let instance;
  try {
    instance = await instanceOf(resources, resource);
  } catch (error) {
    if (create && create.entry.checks.length === 0) recordCheck(create, 'creates one', false, messageOf(error));
  }
  let params = instance?.params;
  let noParent = '';
  if (!params) {
    try {
      params = await parentValuesOf(resources, resource, []);
    } catch (error) {
      noParent = 'no parent to work under: ' + messageOf(error);
    }
  }
  if (create && params) await createChecks(resources, resource, create, params);
  if (list && params) await listChecks(resource, list, params);
  if (list && !params) recordCheck(list, 'lists', false, noParent);
  const missing = 'nothing to work on: ' + (resource.failure ?? 'no item was made');
  if (get) {
    if (!instance) recordCheck(get, 'reads one', false, missing);
    else {
      const answer = await request('GET', filledPath(get.path, itemValues(resource, instance)), { token: tokenFor(get) });
      checkAnswer(get, 'reads one', answer, successStatusOf(get.operation), { success: true });
      await itemChecks(resource, get, instance, async () => undefined);
    }
  }
  if (update) {
    if (!instance) recordCheck(update, 'changes one', false, missing);
    else {
      const schema = requestSchemaOf(update.operation);
      const body = () => sampleBody(schema, referencesOf(resources, resource, []));
      const answer = await request(update.method, filledPath(update.path, itemValues(resource, instance)), { body: await body(), token: tokenFor(update) });
      checkAnswer(update, 'changes one', answer, successStatusOf(update.operation), { success: true });
      await itemChecks(resource, update, instance, body);
      if (documents(update.operation, 400)) {
        const invalid = invalidBodyOf(schema, await body());
        const path = filledPath(update.path, itemValues(resource, instance));
        const answer = await request(update.method, path, { body: invalid.body, token: tokenFor(update) });
        checkAnswer(update, '400 for an invalid body (' + invalid.detail + ')', answer, 400);
      }
    }
  }
}

async function exerciseDelete(resource) {
  const remove = resource.operations.delete;
  if (!remove) return;
  const instance = resource.instance;
  if (!instance) {
    recordCheck(remove, 'deletes one', false, 'nothing to delete: ' + (resource.failure ?? 'no item was made'));
    return;
  }
  await itemChecks(resource, remove, instance, async () => undefined);
  const path = filledPath(remove.path, itemValues(resource, instance));
  const answer = await request('DELETE', path, { token: tokenFor(remove) });
  const deleted = checkAnswer(remove, 'deletes one', answer, successStatusOf(remove.operation), { success: true });
  const get = resource.operations.get;
  if (deleted && get) {
    const again = await request('GET', filledPath(get.path, itemValues(resource, instance)), { token: tokenFor(get) });
    const errors = contractErrorsOf(get.operation, again, 404);
    recordCheck(remove, '404 when read after the delete', errors.length === 0, errors.join('; ') || 'GET ' + again.path + ' answered 404');
  }
}

async function main() {
  const operations = operationsOfDocument();
  let app;
  let failure;
  try {
    const signInOperations = signInOperationsOf(operations);
    const resources = resourcesOf(operations, signInOperations);
    app = await startApp();
    baseUrl = app.url.replace(/\/$/, '') + serverPathOf();
    await signIn(signInOperations);
    const order = dependencyOrder(resources);
    for (const resource of order) {
      try {
        await exerciseResource(resources, resource);
      } catch (error) {
        const [first] = Object.values(resource.operations);
        recordCheck(first, 'exercised', false, 'the checks stopped: ' + messageOf(error));
      }
    }
    for (const resource of [...order].reverse()) {
      try {
        await exerciseDelete(resource);
      } catch (error) {
        recordCheck(resource.operations.delete, 'exercised', false, 'the checks stopped: ' + messageOf(error));
      }
    }
  } catch (error) {
    failure = error;
    process.stderr.write('the contract tests stopped: ' + (error instanceof Error ? error.stack : String(error)) + '\n');
  } finally {
    if (app) await app.stop();
  }
  return reportOf(operations, failure);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(1));
const report = await main();
if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(report, null, 2) + '\n');
process.stdout.write(JSON.stringify(report) + '\n');
process.exitCode = report.failed === 0 && report.error === undefined ? 0 : 1;
`;
