import type { voice } from '@livekit/agents';
import type { InProcessListener } from '../../agent-runtime/transport/in-process-transport.ts';
import type { ServerEvent } from '../../agent-runtime/transport/protocol.ts';

export interface HeardLine {
  role: 'user' | 'assistant';
  text: string;
}

/**
 * What a simulated caller knows of the call: the transcript as it is finalised, and the assistant's turns. A turn
 * ends each time the assistant comes back to listening (from its start-up, or from thinking and speaking), so a
 * caller that waits for the next turn end after speaking hears the whole reply, tool calls included, before it answers.
 */
export class ConversationWatch implements InProcessListener {
  readonly transcript: HeardLine[] = [];
  /** How many times the assistant has come back to listening. */
  turnEnds = 0;
  endedReason: string | undefined;
  private state: voice.AgentState = 'initializing';
  private waiters: Array<() => void> = [];

  event(event: ServerEvent): void {
    if (event.type === 'transcript' && event.final && event.text.trim()) this.transcript.push({ role: event.role, text: event.text });
    if (event.type === 'session.ended') {
      this.endedReason = event.reason;
      this.wake();
    }
  }

  agentState(state: voice.AgentState): void {
    if (state === 'listening' && this.state !== 'listening') this.turnEnds++;
    this.state = state;
    this.wake();
  }

  /** Resolves once the assistant has ended `count` turns in all, or the session ended; rejects when `signal` aborts. */
  untilTurnEnds(count: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      // A wait per caller turn on the scenario's one signal: each takes its listener off again when it settles.
      const onAbort = () => this.wake();
      const settle = (done: () => void) => {
        signal.removeEventListener('abort', onAbort);
        done();
      };
      const check = () => {
        if (signal.aborted) return settle(() => reject(signal.reason as Error));
        if (this.turnEnds >= count || this.endedReason !== undefined) return settle(resolve);
        this.waiters.push(check);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
