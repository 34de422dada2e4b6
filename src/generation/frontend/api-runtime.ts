// The hand-written part of web/src/api.ts: requests, problem+json errors and, when the API has bearer
// authentication, where the token is kept. The generated functions call these.

export function apiRuntimeSource({ bearer }: { bearer: boolean }): string {
  return `/** A list answer that also says how many items there are in all. */
export interface ApiPage<T> {
  readonly items: T[];
  readonly total: number;
}

/** An error answer (RFC 9457 problem details). */
export interface ApiProblem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
}

/** Thrown for every answer that is not a success; the message is the problem's title and detail. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ApiProblem;

  constructor(problem: ApiProblem) {
    super(problem.detail ? problem.title + ': ' + problem.detail : problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

async function problemOf(response: Response): Promise<ApiProblem> {
  const text = await response.text();
  const fallback: ApiProblem = {
    title: response.statusText || 'HTTP ' + response.status,
    status: response.status,
    ...(text ? { detail: text.slice(0, 500) } : {}),
  };
  if (!/json/.test(response.headers.get('content-type') ?? '')) return fallback;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body.title !== 'string') return fallback;
    return {
      title: body.title,
      status: typeof body.status === 'number' ? body.status : response.status,
      ...(typeof body.detail === 'string' ? { detail: body.detail } : {}),
      ...(typeof body.type === 'string' ? { type: body.type } : {}),
    };
  } catch {
    return fallback;
  }
}

function totalCount(response: Response): number {
  const total = Number(response.headers.get('X-Total-Count') ?? Number.NaN);
  if (!Number.isInteger(total)) throw new Error('the answer has no X-Total-Count header');
  return total;
}

interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;${bearer ? '\n  readonly secured?: boolean;' : ''}
}

async function apiRequest(method: string, path: string, options: RequestOptions): Promise<Response> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) query.set(name, String(value));
  }
  const search = query.toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';${
    bearer
      ? `
  const token = options.secured ? readToken() : undefined;
  if (token !== undefined) headers.authorization = 'Bearer ' + token;`
      : ''
  }
  const response = await fetch(BASE_URL + path + (search ? '?' + search : ''), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (!response.ok) {${
    bearer
      ? `
    // a token the server refuses has expired or been revoked: forget it, so the page offers to sign in
    if (response.status === 401 && token !== undefined) clearToken();`
      : ''
  }
    throw new ApiError(await problemOf(response));
  }
  return response;
}
`;
}

export const tokenStoreSource = `const TOKEN_KEY = 'api-token';
const TOKEN_EVENT = 'api-token-change';

/** What register and login answer. */
export interface StoredToken {
  readonly token: string;
  readonly expires_at?: string;
}

/** The bearer token, while it has not expired. */
export function readToken(): string | undefined {
  const stored = window.localStorage.getItem(TOKEN_KEY);
  if (stored === null) return undefined;
  try {
    const parsed = JSON.parse(stored) as Partial<StoredToken>;
    if (typeof parsed.token !== 'string') return undefined;
    if (typeof parsed.expires_at === 'string' && !(Date.parse(parsed.expires_at) > Date.now())) return undefined;
    return parsed.token;
  } catch {
    return undefined;
  }
}

export function storeToken(token: StoredToken): void {
  window.localStorage.setItem(TOKEN_KEY, JSON.stringify({ token: token.token, expires_at: token.expires_at }));
  window.dispatchEvent(new Event(TOKEN_EVENT));
}

export function clearToken(): void {
  window.localStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event(TOKEN_EVENT));
}

/** Calls the listener whenever the token is stored or cleared, in this tab or another; returns the unsubscriber. */
export function onTokenChange(listener: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === TOKEN_KEY || event.key === null) listener();
  };
  window.addEventListener(TOKEN_EVENT, listener);
  window.addEventListener('storage', onStorage);
  return () => {
    window.removeEventListener(TOKEN_EVENT, listener);
    window.removeEventListener('storage', onStorage);
  };
}
`;
