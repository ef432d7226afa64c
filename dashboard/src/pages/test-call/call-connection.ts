import type { ClientMessage } from '../../../../sdk/session-client.ts';
import type { CallAction } from './call-state';

export type CallTransport = 'websocket' | 'livekit';

export interface CallOptions {
  assistantId: string;
  microphone: boolean;
  /** Created inside the click handler's task, so the browser lets the call play sound. */
  context: AudioContext;
  /** Everything the connection sees goes to the one call reducer. */
  dispatch(action: CallAction): void;
}

/** A connected test call, whichever transport carries it: commands go out as the session protocol's JSON. */
export interface CallConnection {
  send(command: ClientMessage): void;
  /** Hangs up without ending the session first (leaving the page): the server sees the customer go. */
  close(): void;
}
