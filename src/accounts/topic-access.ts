import { resolveTopic, TOPIC_FORMS } from '../events/topics.js';
import type { Principal } from './principal.js';
import { grants } from './roles.js';

export type TopicVerdict =
  { allowed: true; topic: string } | { allowed: false; code: 'unknown_topic' | 'forbidden'; detail: string };

/** Whether `principal` may follow `topic`; when it may, the canonical topic to subscribe to. */
export function mayRead(principal: Principal, topic: string): TopicVerdict {
  const resolved = resolveTopic(topic);
  if (!resolved) {
    return {
      allowed: false,
      code: 'unknown_topic',
      detail: `No topic ${topic}; topics are ${TOPIC_FORMS.join(', ')}.`,
    };
  }
  if (!grants(principal.scopes, resolved.scope)) {
    return {
      allowed: false,
      code: 'forbidden',
      detail: `The ${resolved.topic} topic needs the ${resolved.scope} scope, which ${principal.label} does not have.`,
    };
  }
  return { allowed: true, topic: resolved.topic };
}
