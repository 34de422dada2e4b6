import type { GeneratedFiles } from '../generated-files.js';

// Accounts of the generated app, when the spec asks for sign-in anywhere: passwords hashed with scrypt,
// random bearer tokens stored only as their SHA-256 in `sessions`, with an expiry.

const AUTH = `import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { onRequestHookHandler } from 'fastify';
import type { Database } from './database.js';
import { unauthorized } from './problems.js';

const SESSION_DAYS = 30;
const KEY_LENGTH = 64;

function scryptKey(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** \`scrypt:<salt>:<key>\`, both base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return \`scrypt:\${salt.toString('base64url')}:\${(await scryptKey(password, salt)).toString('base64url')}\`;
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split(':');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptKey(password, Buffer.from(salt, 'base64url'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Checked against when the email is unknown, so both cases take as long. */
export const UNKNOWN_USER_HASH = await hashPassword(randomBytes(16).toString('hex'));

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Session {
  token: string;
  expires_at: string;
}

/** A new bearer token for the user; only its hash is stored. */
export async function startSession(database: Database, userId: string): Promise<Session> {
  const token = randomBytes(32).toString('base64url');
  const [session] = await database.query<{ expires_at: string }>(
    \`INSERT INTO "sessions" ("token_hash", "user_id", "expires_at")
     VALUES ($1, $2, now() + make_interval(days => $3))
     RETURNING to_char("expires_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expires_at"\`,
    [tokenHash(token), userId, SESSION_DAYS],
  );
  return { token, expires_at: session!.expires_at };
}

/** An onRequest hook: answers 401 unless the request carries a bearer token of a current session. */
export function bearerAuthentication(database: Database): onRequestHookHandler {
  return async (request) => {
    const token = /^Bearer +(\\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw unauthorized('this needs an Authorization: Bearer <token> header; sign in at /api/auth/login');
    const sessions = await database.query(
      'SELECT 1 FROM "sessions" WHERE "token_hash" = $1 AND "expires_at" > now()',
      [tokenHash(token)],
    );
    if (sessions.length === 0) throw unauthorized('the token is unknown or has expired; sign in again');
  };
}
`;

const AUTH_ROUTES = `import type { FastifyPluginAsync } from 'fastify';
import { hashPassword, passwordMatches, startSession, UNKNOWN_USER_HASH } from '../auth.js';
import { routeSchema } from '../openapi.js';
import { unauthorized } from '../problems.js';
import type { RouteOptions } from '../route-options.js';

interface Credentials {
  email: string;
  password: string;
}

/** /auth/register and /auth/login: accounts and their bearer tokens. */
export const authRoutes: FastifyPluginAsync<RouteOptions> = async (app, { database }) => {
  app.post<{ Body: Credentials }>('/auth/register', { schema: routeSchema('register') }, async (request, reply) => {
    // A taken email fails the unique constraint: the error handler answers 409.
    const [user] = await database.query<{ id: string }>(
      'INSERT INTO "users" ("email", "password_hash") VALUES ($1, $2) RETURNING "id"',
      [request.body.email.toLowerCase(), await hashPassword(request.body.password)],
    );
    return reply.status(201).send(await startSession(database, user!.id));
  });

  app.post<{ Body: Credentials }>('/auth/login', { schema: routeSchema('login') }, async (request) => {
    const [user] = await database.query<{ id: string; password_hash: string }>(
      'SELECT "id", "password_hash" FROM "users" WHERE "email" = $1',
      [request.body.email.toLowerCase()],
    );
    const matches = await passwordMatches(request.body.password, user?.password_hash ?? UNKNOWN_USER_HASH);
    if (!user || !matches) throw unauthorized('wrong email or password');
    await database.query('DELETE FROM "sessions" WHERE "user_id" = $1 AND "expires_at" <= now()', [user.id]);
    return startSession(database, user.id);
  });
};
`;

export function authFiles(): GeneratedFiles {
  return { 'src/auth.ts': AUTH, 'src/routes/auth.ts': AUTH_ROUTES };
}
