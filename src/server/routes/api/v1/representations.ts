import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ApiKey } from '../../../../accounts/api-key-store.js';
import { ROLES, SCOPES } from '../../../../accounts/roles.js';
import type { User } from '../../../../accounts/user-store.js';

export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  skip: z.coerce.number().int().min(0).default(0),
});

export const idParams = z.object({ id: z.uuid() });

export function withTotalCount<T>(reply: FastifyReply, page: { rows: T[]; total: number }): T[] {
  reply.header('x-total-count', String(page.total));
  return page.rows;
}

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    role: z.enum(ROLES),
    display_name: z.string().nullable(),
    disabled: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'User' });

export function presentUser(user: User): z.infer<typeof userSchema> {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    display_name: user.displayName,
    disabled: user.disabledAt !== null,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

export const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('first characters of the key, to recognise it; the secret is never shown again'),
    scopes: z.array(z.enum(SCOPES)),
    user_id: z.uuid().nullable(),
    created_by: z.string().nullable(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'ApiKey' });

export function presentApiKey(key: ApiKey): z.infer<typeof apiKeySchema> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes as z.infer<typeof apiKeySchema>['scopes'],
    user_id: key.userId,
    created_by: key.createdBy,
    expires_at: key.expiresAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    created_at: key.createdAt.toISOString(),
  };
}

export const emailSchema = z.email().max(320);
export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(1024);
