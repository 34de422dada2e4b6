// The part of the contract tests script that runs the built app (`node dist/server.js` on a port the system
// picks), makes requests and checks an answer against the document: the status, the content type, the body
// against the response's schema and the documented headers. Plain JavaScript in a raw string: no backticks,
// no dollar-brace.

export const HTTP_PART = String.raw`
class ContractError extends Error {}

const messageOf = (error) => (error instanceof Error ? error.message : String(error));

const START_LIMIT_MS = Number(process.env.CONTRACT_START_TIMEOUT_MS ?? 60000);
const REQUEST_LIMIT_MS = Number(process.env.CONTRACT_REQUEST_TIMEOUT_MS ?? 30000);
const STOP_LIMIT_MS = 10000;
const APP_ROOT = fileURLToPath(new URL('.', import.meta.url));

/** The app, once it has printed its listening line; stop() ends it (SIGKILL if SIGTERM is not enough). */
async function startApp() {
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: APP_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-20000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const limit = setTimeout(() => child.kill('SIGKILL'), STOP_LIMIT_MS);
      await exited;
      clearTimeout(limit);
    }
    process.removeListener('exit', killOnExit);
  };
  try {
    const url = await new Promise((resolve, reject) => {
      const limit = setTimeout(
        () => reject(new ContractError('the app printed no listening line in ' + START_LIMIT_MS + ' ms:\n' + output)),
        START_LIMIT_MS,
      );
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        const address = /^listening on (https?:\/\/\S+)$/.exec(line.trim())?.[1];
        if (address) {
          clearTimeout(limit);
          resolve(address);
        }
      });
      child.once('error', (error) => {
        clearTimeout(limit);
        reject(error);
      });
      exited.then((code) => {
        clearTimeout(limit);
        reject(new ContractError('the app exited (' + code + ') before listening:\n' + output));
      });
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The path of the document's first server, under which every path of the document lies. */
function serverPathOf() {
  const url = DOCUMENT.servers?.[0]?.url ?? '';
  const path = /^[a-z]+:\/\//i.test(url) ? new URL(url).pathname : url;
  return path.replace(/\/$/, '');
}

function filledPath(template, values) {
  return template.replace(/\{([^}]+)\}/g, (whole, name) => {
    if (values[name] === undefined) throw new ContractError('no value for the path parameter ' + name + ' of ' + template);
    return encodeURIComponent(String(values[name]));
  });
}

let baseUrl = '';

/** One request: body as JSON unless raw; the answer with its body parsed when it is JSON. */
async function request(method, path, { body, token, query } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = 'Bearer ' + token;
  const search = query && Object.keys(query).length > 0 ? '?' + new URLSearchParams(query).toString() : '';
  const response = await fetch(baseUrl + path + search, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_LIMIT_MS),
  });
  const text = await response.text();
  const type = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  let parsed = text;
  if (/json/.test(type) && text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { method, path: path + search, status: response.status, type, headers: response.headers, text, body: parsed };
}

const excerpt = (answer) => (answer.text.length > 300 ? answer.text.slice(0, 300) + '...' : answer.text);

/** What is wrong with the answer: an empty list when it is what the operation documents for the status. */
function contractErrorsOf(operation, answer, expected) {
  if (answer.status !== expected) {
    return [answer.method + ' ' + answer.path + ' answered ' + answer.status + ', not ' + expected + ': ' + excerpt(answer)];
  }
  const response = responseOf(operation, expected);
  if (!response) return ['the document does not say what ' + expected + ' answers'];
  const errors = [];
  const content = response.content ?? {};
  const types = Object.keys(content);
  if (types.length === 0) {
    if (answer.text.length > 0) errors.push('a body where the document has none: ' + excerpt(answer));
  } else {
    const type = types.find((media) => media.toLowerCase() === answer.type) ?? types.find((media) => media === '*/*');
    if (type === undefined) errors.push('content type ' + (answer.type || 'none') + ', the document says ' + types.join(' or '));
    else if (content[type].schema) {
      errors.push(...schemaErrorsOf(content[type].schema, answer.body).map((error) => 'body ' + error));
    }
  }
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') continue;
    const value = answer.headers.get(name);
    if (value === null) {
      errors.push('no ' + name + ' header');
      continue;
    }
    const schema = resolved(header).schema;
    const numeric = ['integer', 'number'].includes(schema && mainTypeOf(schema));
    const headerErrors = schema ? schemaErrorsOf(schema, numeric && value.trim() !== '' ? Number(value) : value) : [];
    if (headerErrors.length > 0) errors.push(name + ' header ' + JSON.stringify(value) + ': ' + headerErrors.join(', '));
  }
  return errors;
}

/** Records a check of the operation; answers whether it passed. */
function recordCheck(operation, name, passed, detail) {
  operation.entry.checks.push({ name, passed, detail });
  if (!passed) process.stderr.write('FAIL ' + operation.method + ' ' + operation.path + ': ' + name + ': ' + detail + '\n');
  return passed;
}

/**
 * Checks the answer against the operation's document for the expected status. An answer of 501 to the
 * request that should succeed marks the operation not implemented.
 */
function checkAnswer(operation, name, answer, expected, { success = false } = {}) {
  if (success && answer.status === 501) operation.notImplemented = true;
  const errors = contractErrorsOf(operation.operation, answer, expected);
  return recordCheck(operation, name, errors.length === 0, errors.length === 0 ? answer.method + ' ' + answer.path + ' answered ' + answer.status : errors.join('; '));
}

function reportOf(operations, error) {
  for (const operation of operations) {
    if (operation.entry.checks.length === 0) {
      const reason = error
        ? 'not reached: the run stopped: ' + messageOf(error)
        : 'no request was made: the operation follows no convention these tests know';
      recordCheck(operation, 'exercised', false, reason);
    }
    const passed = operation.entry.checks.every((check) => check.passed);
    operation.entry.result = operation.notImplemented ? 'not_implemented' : passed ? 'passed' : 'failed';
  }
  const count = (result) => operations.filter((operation) => operation.entry.result === result).length;
  return {
    operations: operations.map((operation) => operation.entry),
    passed: count('passed'),
    failed: count('failed'),
    not_implemented: count('not_implemented'),
    ...(error ? { error: messageOf(error) } : {}),
  };
}
`;
