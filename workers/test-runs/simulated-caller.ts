import { synthesizeSpeech } from '../../agent-runtime/providers/local-tts.ts';
import type { InProcessTransport } from '../../agent-runtime/transport/in-process-transport.ts';
import { isScripted, type Scenario } from '../../core/test-suites/scenario-config.ts';
import type { Judge } from '../evaluations/judge/judge-client.ts';
import { CALLER_SAMPLE_RATE_HZ, CallerMicrophone } from './caller-microphone.ts';
import type { ConversationWatch } from './conversation-watch.ts';
import { nextPersonaTurn } from './persona-caller.ts';
import type { RecordedClips } from './recorded-clips.ts';

export interface CallerOptions {
  scenario: Scenario;
  transport: InProcessTransport;
  watch: ConversationWatch;
  /** The assistant opens with a first message: the caller lets it finish before it speaks. */
  assistantSpeaksFirst: boolean;
  /** The model that plays a persona caller. */
  persona?: Judge;
  /** The recorded clips a speech scenario's lines play (`caller.turn_audio`). */
  clips: RecordedClips;
  signal: AbortSignal;
}

/** A line the caller says, and the recorded clip of it, if it has one. */
interface CallerLine {
  text: string;
  clipId?: string | null | undefined;
}

/**
 * Plays a scenario's caller: each line once the assistant's turn has ended — typed (`input: "text"`), or streamed as
 * real-time audio through the assistant's transcriber (`"speech"`): the line's recorded clip when it has one, else the
 * line synthesised with the local eSpeak voice — and hangs up after the assistant's answer to the last one. Returns
 * when the caller is done or the session has ended.
 */
export async function playCaller(options: CallerOptions): Promise<void> {
  const { scenario, transport, watch, signal } = options;
  const microphone = scenario.input === 'speech' ? new CallerMicrophone(transport) : undefined;
  const lines = callerLines(options);
  try {
    await watch.untilTurnEnds(options.assistantSpeaksFirst ? 2 : 1, signal);
    for (;;) {
      if (watch.endedReason !== undefined) return;
      const line = await lines.next();
      if (line.done) break;
      const turnEnds = watch.turnEnds;
      if (microphone) await microphone.say(await spoken(line.value, options.clips));
      else transport.sendMessage({ type: 'user.text', text: line.value.text });
      await watch.untilTurnEnds(turnEnds + 1, signal);
    }
    if (watch.endedReason === undefined) transport.sendMessage({ type: 'session.end' });
  } finally {
    microphone?.stop();
  }
}

function spoken(line: CallerLine, clips: RecordedClips): Promise<Int16Array> {
  return line.clipId ? clips(line.clipId) : synthesizeSpeech(line.text, { sampleRateHz: CALLER_SAMPLE_RATE_HZ });
}

/** The caller's lines, one at a time: the script's, or the persona model's until it hangs up or runs out of turns. */
async function* callerLines({ scenario, watch, persona }: CallerOptions): AsyncGenerator<CallerLine> {
  const caller = scenario.caller;
  if (isScripted(caller)) {
    yield* caller.turns.map((text, index) => ({ text, clipId: caller.turn_audio?.[index] }));
    return;
  }
  if (!persona) throw new Error('A persona caller needs a model');
  for (let turn = 0; turn < caller.max_turns; turn++) {
    const next = await nextPersonaTurn(persona, caller, watch.transcript);
    if (next.say) yield { text: next.say };
    if (next.hang_up) return;
  }
}
