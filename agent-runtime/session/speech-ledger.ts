import { type llm, voice } from '@livekit/agents';
import { interruptions } from '../../core/metrics/session-metrics.ts';

/**
 * Tells, for each assistant message the library adds, whether it is a reply to a user turn and what of it the caller
 * heard.
 *
 * - Replies (`generate_reply`, `tool_response` speeches) list their message in the speech's `chatItems`; a `say()`
 *   (first message, `assistant.say`, end-call message) never does. Only replies answer a turn, so only they may carry
 *   its metrics.
 * - The library cuts an interrupted reply at the transcript the audio output reports as played, but keeps a `say()`'s
 *   full text. The playout that just ended is that message's own (speeches play one at a time, and the library adds
 *   the message once its audio output has reported the playout finished), so its synchronized transcript is what
 *   was heard.
 * - It counts the speeches the caller cut short (speaking over them, or typing), not those the session's end stops.
 */
export class SpeechLedger {
  private readonly replies = new Set<voice.SpeechHandle>();
  private lastPlayout: voice.PlaybackFinishedEvent | undefined;
  private ending = false;

  constructor(audioOutput: voice.AudioOutput) {
    audioOutput.on(voice.AudioOutput.EVENT_PLAYBACK_STARTED, () => {
      this.lastPlayout = undefined;
    });
    audioOutput.on(voice.AudioOutput.EVENT_PLAYBACK_FINISHED, (event: voice.PlaybackFinishedEvent) => {
      this.lastPlayout = event;
    });
  }

  speechCreated(event: voice.SpeechCreatedEvent): void {
    const speech = event.speechHandle;
    speech.addDoneCallback(() => {
      if (speech.interrupted && !this.ending) interruptions.inc();
    });
    if (event.source === 'say') return;
    this.replies.add(speech);
    speech.addDoneCallback(() => this.replies.delete(speech));
  }

  /** From here on, speeches stop because the session ends, not because the caller interrupted them. */
  sessionEnding(): void {
    this.ending = true;
  }

  isReply(item: llm.ChatMessage): boolean {
    for (const speech of this.replies) {
      if (speech.chatItems.some((chatItem) => chatItem.id === item.id)) return true;
    }
    return false;
  }

  /** The part of a `say()` message the caller heard: all of it unless interrupted, nothing if it never started playing. */
  heardSayText(item: llm.ChatMessage): string {
    const text = item.textContent ?? '';
    if (!item.interrupted) return text;
    if (item.metrics.startedSpeakingAt === undefined) return '';
    // An output that cannot tell which words were played reports no transcript: the text stays whole.
    return this.lastPlayout?.synchronizedTranscript ?? text;
  }
}
