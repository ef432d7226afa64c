import { voice } from '@livekit/agents';
import type { AssistantSnapshot } from '../config/assistant-snapshot.ts';
import type { SessionProviders } from '../providers/provider-factory.ts';

/** How the library's AgentSession runs for an assistant: its providers, turn-taking, interruptions and retries. */
export function agentSessionOptions(assistant: AssistantSnapshot, providers: SessionProviders): voice.AgentSessionOptions {
  const turn = assistant.turn;
  return {
    vad: providers.vad,
    ...(providers.stt ? { stt: providers.stt } : {}),
    llm: providers.llm,
    tts: providers.tts,
    turnHandling: {
      // VAD decides end of speech for every transcriber, so turn-taking behaves the same whichever STT is chosen;
      // with no transcriber, turns come only from typed text.
      turnDetection: providers.stt ? 'vad' : 'manual',
      endpointing: { minDelay: turn.endpointing_min_delay_ms, maxDelay: turn.endpointing_max_delay_ms },
      interruption: {
        enabled: turn.interruptions_enabled,
        minDuration: turn.interruption_min_duration_ms,
        minWords: turn.interruption_min_words,
        // An interruption stops the reply for good: resuming it would replay audio the client already dropped.
        resumeFalseInterruption: false,
      },
    },
    // WebSocket clients send what their microphone hears after their own echo cancellation (or none is needed):
    // the library's 3 s warm-up would only make the first message impossible to interrupt.
    aecWarmupDuration: 0,
    // Our own silence_timeout_s decides when a quiet user ends the session.
    userAwayTimeout: null,
    connOptions: {
      sttConnOptions: { maxRetry: 2, retryIntervalMs: 500, timeoutMs: 10_000 },
      llmConnOptions: { maxRetry: 1, retryIntervalMs: 500, timeoutMs: 15_000 },
      ttsConnOptions: { maxRetry: 2, retryIntervalMs: 500, timeoutMs: 10_000 },
      maxUnrecoverableErrors: 0,
    },
  };
}
