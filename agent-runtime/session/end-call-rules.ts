import { setTimeout as delay } from 'node:timers/promises';
import type { voice } from '@livekit/agents';
import type { AssistantSnapshot } from '../config/assistant-snapshot.ts';

/** How long the end-call message may play before the session ends regardless. */
const GOODBYE_PLAYOUT_TIMEOUT_MS = 30_000;

export interface EndCallSession {
  assistant(): AssistantSnapshot | undefined;
  /** The library session, once it has started. */
  agentSession(): Pick<voice.AgentSession, 'say'> | undefined;
  ending(): boolean;
  end(reason: 'assistant-ended'): Promise<unknown>;
  warn(message: string, fields: Record<string, unknown>): void;
}

/**
 * The assistant's end-call rules: `end_call_phrases` heard in the conversation, and the `end_call` tool. An
 * assistant's own phrase has been heard already and ends the call at once; a user's phrase, and the tool, get the
 * `end_call_message` first.
 */
export class EndCallRules {
  constructor(private readonly session: EndCallSession) {}

  /** A final transcript of either speaker: ends the call when it contains one of the phrases (any case). */
  heard(text: string, role: 'user' | 'assistant'): void {
    const phrases = this.session.assistant()?.end_call_phrases ?? [];
    if (phrases.length === 0 || this.session.ending()) return;
    const lower = text.toLowerCase();
    if (!phrases.some((phrase) => lower.includes(phrase.toLowerCase()))) return;
    if (role === 'assistant') void this.session.end('assistant-ended');
    else void this.endAfterGoodbye();
  }

  /** Says end_call_message (if any), lets it play out, then ends. */
  async endAfterGoodbye(): Promise<void> {
    const goodbye = this.session.assistant()?.end_call_message;
    const agentSession = this.session.agentSession();
    if (goodbye && agentSession && !this.session.ending()) {
      try {
        const handle = agentSession.say(goodbye, { allowInterruptions: false });
        await Promise.race([handle.waitForPlayout(), delay(GOODBYE_PLAYOUT_TIMEOUT_MS, undefined, { ref: false })]);
      } catch (error) {
        this.session.warn('Could not say the end-call message', { error: String(error) });
      }
    }
    await this.session.end('assistant-ended');
  }
}
