import { ApiProblem, problemOf } from './problem';

/**
 * The access token lives only in this module's memory; the refresh token is an httpOnly cookie the page
 * never sees, renewed through /api/v1/auth/web/refresh with the CSRF token from the readable lvlup_csrf
 * cookie. Nothing is written to localStorage or sessionStorage.
 */
let accessToken: string | undefined;
const listeners = new Set<() => void>();

export function currentAccessToken(): string | undefined {
  return accessToken;
}

export function setAccessToken(token: string | undefined): void {
  accessToken = token;
  for (const listener of listeners) listener();
}

export function onAccessTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)lvlup_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

let refreshing: Promise<boolean> | undefined;

/**
 * Renews the access token from the sign-in cookie. Refresh tokens rotate and a reused one ends the whole
 * sign-in, so two tabs must never present the same cookie: refreshes take turns through a Web Lock shared
 * by every tab of this origin, and each reads the cookie only once it holds the lock (by then it is the
 * one the previous tab's refresh set).
 */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= withRefreshLock(async () => {
    const csrf = csrfToken();
    if (!csrf) return false;
    const response = await fetch('/api/v1/auth/web/refresh', {
      method: 'POST',
      headers: { 'x-csrf-token': csrf },
      credentials: 'same-origin',
    });
    if (!response.ok) {
      setAccessToken(undefined);
      return false;
    }
    const body = (await response.json()) as { access_token: string };
    setAccessToken(body.access_token);
    return true;
  }).finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    return navigator.locks.request('lvlup-refresh', work) as Promise<T>;
  }
  return work();
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
}

function urlOf(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** Calls the API with the in-memory access token, renewing it once on 401; a refusal throws ApiProblem. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const send = () => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(urlOf(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'same-origin',
    });
  };
  let response = await send();
  if (response.status === 401 && (await refreshAccessToken())) response = await send();
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return { data: undefined as T, headers: response.headers };
  return { data: (await response.json()) as T, headers: response.headers };
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await apiRequest<T>(path, options)).data;
}

export { ApiProblem };

/**
 * Saves what an authenticated GET answers as a file: a plain link cannot carry the in-memory access token,
 * so the body is fetched with it and handed to the browser as an object URL.
 */
export async function downloadFile(path: string, fileName: string): Promise<void> {
  const send = () =>
    fetch(path, {
      headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
      credentials: 'same-origin',
    });
  let response = await send();
  if (response.status === 401 && (await refreshAccessToken())) response = await send();
  if (!response.ok) throw await problemOf(response);
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
