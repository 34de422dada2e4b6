import type { Principal } from '../accounts/principal.js';
import { grants, type Scope } from '../accounts/roles.js';

/** The topics a client may follow, and the scope each needs. Topics not listed here do not exist yet. */
export const TOPIC_SCOPES: Readonly<Record<string, Scope>> = {
  proposals: 'proposals:read',
};

export const TOPICS = Object.keys(TOPIC_SCOPES);

export type TopicVerdict = { allowed: true } | { allowed: false; code: 'unknown_topic' | 'forbidden'; detail: string };

export function mayRead(principal: Principal, topic: string): TopicVerdict {
  const scope = TOPIC_SCOPES[topic];
  if (!scope) {
    return { allowed: false, code: 'unknown_topic', detail: `No topic ${topic}; topics are ${TOPICS.join(', ')}.` };
  }
  if (!grants(principal.scopes, scope)) {
    return {
      allowed: false,
      code: 'forbidden',
      detail: `The ${topic} topic needs the ${scope} scope, which ${principal.label} does not have.`,
    };
  }
  return { allowed: true };
}
