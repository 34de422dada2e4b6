import type { FastifySchema } from 'fastify';
import type { Redis } from 'ioredis';
import type { Principal } from '../accounts/principal.js';
import type { Scope } from '../accounts/roles.js';
import type { Revocations } from '../accounts/revocations.js';
import type { TokenSettings } from '../accounts/tokens.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import type { AgentRegistry } from '../tasks/agent-registry.js';
import type { TaskQueue } from '../tasks/task-queue.js';
import type { TaskRuntime } from './task-runtime.js';
import type { LanguageModelService } from '../llm/language-model-service.js';
import type { Compute } from '../compute/compute.js';
import type { ProblemFields } from './problem-table.js';
import type { DeploymentSupervisor } from '../deployments/supervisor.js';

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
  /** the response stays open (SSE, WebSocket): generic tests check its refusals, not its success */
  readonly streaming: boolean;
  readonly schema: FastifySchema | undefined;
}

/** What the routes need from the rest of lvlup; created once per app, decorated as `app.services`. */
export interface Services {
  readonly config: Config;
  readonly database: Database;
  readonly redis: Redis | undefined;
  readonly tokens: TokenSettings;
  readonly events: EventBus;
  /** revoked sessions, and the streams to close when a credential is revoked in any process */
  readonly revocations: Revocations;
  readonly agents: AgentRegistry;
  readonly tasks: TaskQueue;
  /** agents, queue and this process's worker (if it runs one) */
  readonly runtime: TaskRuntime;
  /** language models, accounted and budgeted; `isConfigured()` is false without a provider */
  readonly llm: LanguageModelService;
  /** analysis, optimisation, diffing and the security gate, off the event loop (src/compute/) */
  readonly compute: Compute;
  /** the deployments this process supervises (src/deployments/) */
  readonly deployments: DeploymentSupervisor;
  readonly version: string;
  readonly startedAt: Date;
  now(): Date;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
    /** the success response never ends by itself (an event stream) */
    streaming?: boolean;
    /** the request goes on to a deployed app (/apps/{slug}/): its body is a stream passed on unread */
    proxied?: boolean;
    /** the request field a domain error's field is (src/server/problem-table.ts), where not the default */
    problemFields?: ProblemFields;
  }
  interface FastifyInstance {
    services: Services;
    routeTable: readonly RouteTableEntry[];
    /** who a bearer token (API key or access token) belongs to, if anyone */
    authenticateToken(token: string): Promise<Principal | undefined>;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}
