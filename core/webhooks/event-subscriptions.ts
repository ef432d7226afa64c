import { EVENT_TYPES, OPT_IN_EVENT_TYPES, type EventType } from './catalogue.ts';

/** What an endpoint may list in `event_types`: `*` (every type that is not opt-in) or event type names. */
export const WILDCARD = '*';

/** `webhook.test` goes only to the endpoint it was sent to; nobody subscribes to it. */
export const SUBSCRIBABLE_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((type) => type !== 'webhook.test');

export function isSubscribable(value: string): boolean {
  return value === WILDCARD || (SUBSCRIBABLE_EVENT_TYPES as readonly string[]).includes(value);
}

export function subscribes(eventTypes: readonly string[], type: string): boolean {
  if (type === 'webhook.test') return false;
  if (eventTypes.includes(type)) return true;
  return eventTypes.includes(WILDCARD) && !(OPT_IN_EVENT_TYPES as readonly string[]).includes(type);
}

/** An assistant's `server_url` has no subscription list: it receives that assistant's events that are not opt-in. */
export function serverUrlReceives(type: string): boolean {
  return subscribes([WILDCARD], type);
}
