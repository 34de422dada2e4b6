import type { FastifySchema } from 'fastify';
import type { Redis } from 'ioredis';
import type { Principal } from '../accounts/principal.js';
import type { Scope } from '../accounts/roles.js';
import type { TokenSettings } from '../accounts/tokens.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';

/**
 * Who may call a route: anyone (`public`), any authenticated caller, or a caller holding a scope.
 * Routes that say nothing are admin-only, so a forgotten declaration fails closed.
 */
export type AuthRequirement = 'public' | 'authenticated' | { scope: Scope };

/** A registered route, one per method; `auth` undefined means admin-only. */
export interface RouteTableEntry {
  readonly method: string;
  readonly url: string;
  readonly auth: AuthRequirement | undefined;
  readonly hidden: boolean;
  readonly schema: FastifySchema | undefined;
}

/** What the routes need from the rest of lvlup; created once per app, decorated as `app.services`. */
export interface Services {
  readonly config: Config;
  readonly database: Database;
  readonly redis: Redis | undefined;
  readonly tokens: TokenSettings;
  readonly events: EventBus;
  readonly version: string;
  readonly startedAt: Date;
  now(): Date;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyInstance {
    services: Services;
    routeTable: readonly RouteTableEntry[];
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}
