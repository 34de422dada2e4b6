export const ROLES = ['admin', 'maintainer', 'reviewer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = [
  'admin',
  'proposals:read',
  'proposals:write',
  'repos:read',
  'repos:write',
  'agents:read',
  'agents:run',
  'metrics:read',
  'keys:read',
  'keys:write',
  'projects:read',
  'projects:write',
] as const;
export type Scope = (typeof SCOPES)[number];

const viewer: Scope[] = ['proposals:read', 'repos:read', 'agents:read', 'keys:read', 'keys:write', 'projects:read'];
const reviewer: Scope[] = [...viewer, 'proposals:write'];
const maintainer: Scope[] = [...reviewer, 'repos:write', 'agents:run', 'metrics:read', 'projects:write'];

/** What each role may do; an API key owned by a user never exceeds its owner's role. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  viewer,
  reviewer,
  maintainer,
  admin: SCOPES,
};

/** `admin` implies every other scope. */
export function grants(scopes: ReadonlySet<Scope>, required: Scope): boolean {
  return scopes.has('admin') || scopes.has(required);
}
