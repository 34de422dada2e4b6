import { asc } from 'drizzle-orm';
import { loadConfig } from '../../src/config/config.js';
import { tokenUsage } from '../../src/db/schema.js';
import {
  createLanguageModelService,
  type LanguageModelService,
  type LanguageModelServiceSettings,
} from '../../src/llm/language-model-service.js';
import type { TestDatabase } from './database.js';
import type { FakeLlmServer } from './fake-llm-server.js';

/** A clock the test moves by hand. */
export function manualClock(start = new Date('2026-03-15T12:00:00Z')) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(milliseconds: number) {
      current += milliseconds;
    },
    set(date: Date) {
      current = date.getTime();
    },
  };
}

/** Environment pointing each provider at the fake server (keys are fakes the server records). */
export function fakeProviderEnvironment(server: FakeLlmServer): Record<string, string> {
  return {
    OPENAI_API_KEY: 'sk-test-openai',
    OPENAI_BASE_URL: server.baseUrl,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: server.baseUrl,
    OLLAMA_BASE_URL: server.origin,
  };
}

export interface LlmHarness {
  readonly service: LanguageModelService;
  readonly clock: ReturnType<typeof manualClock>;
  /** every wait the service asked for between attempts, in milliseconds (none is really waited) */
  readonly waits: number[];
  usageRows(): Promise<(typeof tokenUsage.$inferSelect)[]>;
}

/** A service on the test database with a manual clock and recorded (instant) waits. */
export function llmHarness(
  database: TestDatabase,
  environment: Record<string, string>,
  settings: Partial<LanguageModelServiceSettings> = {},
): LlmHarness {
  const clock = manualClock();
  const waits: number[] = [];
  const service = createLanguageModelService({
    database: database.database,
    config: loadConfig({ LOG_LEVEL: 'silent', ...environment }),
    now: clock.now,
    sleep: async (milliseconds) => {
      waits.push(milliseconds);
      clock.advance(milliseconds);
    },
    random: () => 0.5,
    ...settings,
  });
  return {
    service,
    clock,
    waits,
    usageRows: () => database.database.orm.select().from(tokenUsage).orderBy(asc(tokenUsage.id)),
  };
}
