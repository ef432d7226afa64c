import type { EventOf, ServerEvent } from '../../../../sdk/session-client.ts';

type CallStatus = 'idle' | 'connecting' | 'live' | 'ended' | 'failed';
type AgentState = 'listening' | 'thinking' | 'speaking';
type MicrophoneState = 'off' | 'on' | 'denied';

/** Lines are only appended, or the last one replaced: a line's position in the transcript is its identity. */
interface TranscriptLine {
  role: 'user' | 'assistant';
  text: string;
  final: boolean;
  interrupted: boolean;
}

type TurnMetrics = EventOf<'turn.metrics'>;

export interface CallState {
  status: CallStatus;
  agentState: AgentState;
  sessionId: string | null;
  transcript: TranscriptLine[];
  turns: TurnMetrics[];
  microphone: MicrophoneState;
  endedReason: string | null;
  error: string | null;
  /** Seconds of assistant audio received in this call, to the tenth shown on the page. */
  audioReceivedS: number;
  interruptionsEnabled: boolean;
}

/** What happens to a call, whichever transport carries it: the session protocol's events and the connection's own. */
export type CallAction =
  | { type: 'starting' }
  | { type: 'session-created'; sessionId: string }
  | { type: 'event'; event: ServerEvent }
  | { type: 'audio-received'; seconds: number }
  | { type: 'microphone'; state: MicrophoneState; error?: string }
  | { type: 'text-sent' }
  | { type: 'interruptions-set'; enabled: boolean }
  /** The connection is gone; `clean` when it ended as a call ends (not a failure), `problem` says why otherwise. */
  | { type: 'closed'; clean: boolean; problem?: string }
  | { type: 'failed'; error: string };

export function initialCallState(interruptionsEnabled: boolean): CallState {
  return {
    status: 'idle',
    agentState: 'listening',
    sessionId: null,
    transcript: [],
    turns: [],
    microphone: 'off',
    endedReason: null,
    error: null,
    audioReceivedS: 0,
    interruptionsEnabled,
  };
}

export function callReducer(state: CallState, action: CallAction): CallState {
  switch (action.type) {
    case 'starting':
      return { ...initialCallState(state.interruptionsEnabled), status: 'connecting', microphone: state.microphone };
    case 'session-created':
      return { ...state, sessionId: action.sessionId };
    case 'event':
      return onEvent(state, action.event);
    case 'audio-received':
      // Reported per audio frame or chunk; the page re-renders only when the tenth it shows moves.
      return action.seconds.toFixed(1) === state.audioReceivedS.toFixed(1) ? state : { ...state, audioReceivedS: action.seconds };
    case 'microphone':
      return { ...state, microphone: action.state, error: action.error ?? state.error };
    case 'text-sent':
      return { ...state, agentState: 'thinking' };
    case 'interruptions-set':
      return { ...state, interruptionsEnabled: action.enabled };
    case 'closed':
      return {
        ...state,
        status: action.clean || state.status === 'live' ? 'ended' : 'failed',
        error: action.problem && !action.clean ? (state.error ?? action.problem) : state.error,
        microphone: state.microphone === 'on' ? 'off' : state.microphone,
      };
    case 'failed':
      return { ...state, status: 'failed', error: action.error, microphone: state.microphone === 'on' ? 'off' : state.microphone };
  }
}

function onEvent(state: CallState, event: ServerEvent): CallState {
  switch (event.type) {
    case 'session.started':
      return { ...state, status: 'live', agentState: 'listening' };
    case 'user.speech.started':
    case 'assistant.audio.done':
    case 'assistant.audio.cleared':
      return { ...state, agentState: 'listening' };
    case 'user.speech.stopped':
      return { ...state, agentState: 'thinking' };
    case 'assistant.audio.started':
      return { ...state, agentState: 'speaking' };
    case 'transcript':
      return { ...withTranscript(state, event), ...(event.role === 'user' && event.final ? { agentState: 'thinking' as const } : {}) };
    case 'turn.metrics':
      return { ...state, turns: [...state.turns, event] };
    case 'error':
      return { ...state, error: `${event.code}: ${event.message}` };
    case 'session.ended':
      return { ...state, endedReason: event.reason };
    default:
      return state;
  }
}

/** An interim line is replaced by the next text of the same speaker until its final text arrives. */
function withTranscript(state: CallState, event: EventOf<'transcript'>): CallState {
  const line = { role: event.role, text: event.text, final: event.final, interrupted: event.interrupted ?? false };
  const last = state.transcript.at(-1);
  if (last && last.role === event.role && !last.final) return { ...state, transcript: [...state.transcript.slice(0, -1), line] };
  return { ...state, transcript: [...state.transcript, line] };
}
