/** The scopes topics need (a subset of the account scopes, which sit above this module). */
export type TopicScope = 'proposals:read' | 'agents:read' | 'projects:read';

/**
 * The topics a client may follow, and the scope each needs. Fixed topics are named as they are; `tasks`,
 * `projects` and `deployments` are wildcards that follow every topic under them (`tasks/{id}`…; nothing is
 * published on the wildcard itself); pattern topics carry a uuid: `projects/{id}` carries a project's runs
 * and stages, `deployments/{id}` a deployment's states and log lines.
 */
const FIXED_TOPICS: Readonly<Record<string, TopicScope>> = {
  proposals: 'proposals:read',
  agents: 'agents:read',
  guardian: 'agents:read',
  imperium: 'agents:read',
  tasks: 'agents:read',
  projects: 'projects:read',
  deployments: 'projects:read',
};

/** A wildcard subscription and the prefix of the topics it follows. */
const WILDCARDS: Readonly<Record<string, string>> = {
  tasks: 'tasks/',
  projects: 'projects/',
  deployments: 'deployments/',
};

const PATTERN_TOPICS: readonly { prefix: string; scope: TopicScope }[] = [
  { prefix: 'tasks/', scope: 'agents:read' },
  { prefix: 'projects/', scope: 'projects:read' },
  { prefix: 'deployments/', scope: 'projects:read' },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The topics that need no id, wildcards included: what an SSE client follows by default. */
export const TOPICS = Object.keys(FIXED_TOPICS);

/** How topics are written, for messages and documentation. */
export const TOPIC_FORMS = [...TOPICS, ...PATTERN_TOPICS.map(({ prefix }) => `${prefix}{uuid}`)];

/** The topic in its canonical form (ids in lower case) and the scope it needs, or undefined. */
export function resolveTopic(topic: string): { topic: string; scope: TopicScope } | undefined {
  const fixed = FIXED_TOPICS[topic];
  if (fixed) return { topic, scope: fixed };
  for (const { prefix, scope } of PATTERN_TOPICS) {
    if (!topic.startsWith(prefix)) continue;
    const id = topic.slice(prefix.length);
    return UUID.test(id) ? { topic: `${prefix}${id.toLowerCase()}`, scope } : undefined;
  }
  return undefined;
}

/** Whether an event published on `eventTopic` reaches a subscription to `subscription` (canonical). */
export function topicMatches(subscription: string, eventTopic: string): boolean {
  if (subscription === eventTopic) return true;
  const prefix = WILDCARDS[subscription];
  return prefix !== undefined && eventTopic.startsWith(prefix);
}

/** Splits subscriptions into exact topics and wildcard prefixes, for reading the stored log. */
export function topicSelection(subscriptions: readonly string[]): { exact: string[]; prefixes: string[] } {
  const exact: string[] = [];
  const prefixes: string[] = [];
  for (const subscription of subscriptions) {
    const prefix = WILDCARDS[subscription];
    if (prefix) prefixes.push(prefix);
    else exact.push(subscription);
  }
  return { exact, prefixes };
}
