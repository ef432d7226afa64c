import type { voice } from '@livekit/agents';

const SILENCE_CHECK_INTERVAL_MS = 250;

/**
 * The assistant's limits on a running session: `max_duration_s` from the start, and `silence_timeout_s` of the user
 * saying nothing while the agent waits for them. The runner reports activity and the speakers' states; `end` is
 * called with the limit's reason.
 */
export class SessionLimits {
  /** The user is speaking now (their silence does not count). */
  userSpeaking = false;
  agentState: voice.AgentState = 'initializing';
  private lastActivityAt = Date.now();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly end: (reason: 'max-duration' | 'silence-timeout') => void) {}

  /** Something happened in the conversation: the silence starts again from now. */
  activity(): void {
    this.lastActivityAt = Date.now();
  }

  arm(limits: { max_duration_s?: number | null; silence_timeout_s?: number | null }): void {
    if (limits.max_duration_s) {
      const timer = setTimeout(() => this.end('max-duration'), limits.max_duration_s * 1000);
      timer.unref();
      this.timers.push(timer);
    }
    const silenceTimeoutMs = limits.silence_timeout_s ? limits.silence_timeout_s * 1000 : undefined;
    if (silenceTimeoutMs) {
      const timer = setInterval(() => {
        const waitingForUser = !this.userSpeaking && (this.agentState === 'listening' || this.agentState === 'idle');
        if (!waitingForUser) this.lastActivityAt = Date.now();
        else if (Date.now() - this.lastActivityAt >= silenceTimeoutMs) this.end('silence-timeout');
      }, SILENCE_CHECK_INTERVAL_MS);
      timer.unref();
      this.timers.push(timer);
    }
  }

  clear(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}
