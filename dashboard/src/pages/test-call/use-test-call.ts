import { useCallback, useEffect, useRef, useState } from 'react';
import { SessionClient, type EventOf } from '../../../../sdk/session-client.ts';
import { errorMessage } from '../../api/api-error';
import { api, unwrap } from '../../api/client';
import { captureMicrophone, type MicrophoneCapture } from '../../audio/microphone-capture';
import { PlaybackQueue } from '../../audio/playback-queue';

const SAMPLE_RATE_HZ = 16000;

type CallStatus = 'idle' | 'connecting' | 'live' | 'ended' | 'failed';
type AgentState = 'listening' | 'thinking' | 'speaking';

interface TranscriptLine {
  key: number;
  role: 'user' | 'assistant';
  text: string;
  final: boolean;
  interrupted: boolean;
}

type TurnMetrics = EventOf<'turn.metrics'>;

export interface TestCall {
  status: CallStatus;
  agentState: AgentState;
  sessionId: string | null;
  transcript: TranscriptLine[];
  turns: TurnMetrics[];
  microphone: 'off' | 'on' | 'denied';
  endedReason: string | null;
  error: string | null;
  audioReceivedS: number;
  interruptionsEnabled: boolean;
  start(options: { microphone: boolean }): Promise<void>;
  sendText(text: string): void;
  setInterruptions(enabled: boolean): void;
  end(): void;
}

/** A browser test call: a WebSocket session with the microphone streamed in and the reply played out. */
export function useTestCall(assistantId: string, interruptionsDefault: boolean): TestCall {
  const [status, setStatus] = useState<CallStatus>('idle');
  const [agentState, setAgentState] = useState<AgentState>('listening');
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [transcript, setTranscript] = useState<TranscriptLine[]>([]);
  const [turns, setTurns] = useState<TurnMetrics[]>([]);
  const [microphone, setMicrophone] = useState<'off' | 'on' | 'denied'>('off');
  const [endedReason, setEndedReason] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [audioReceivedS, setAudioReceivedS] = useState(0);
  const [interruptionsEnabled, setInterruptionsEnabled] = useState(interruptionsDefault);
  const resources = useRef<{ client?: SessionClient; context?: AudioContext; mic?: MicrophoneCapture; playback?: PlaybackQueue }>({});
  const lineKey = useRef(0);

  const release = useCallback(() => {
    const { mic, context, client } = resources.current;
    mic?.stop();
    resources.current.playback?.clear();
    void context?.close();
    client?.close();
    resources.current = {};
    setMicrophone((current) => (current === 'on' ? 'off' : current));
  }, []);

  // Leaving the page hangs up.
  useEffect(() => () => release(), [release]);

  const addTranscript = useCallback((event: EventOf<'transcript'>) => {
    setTranscript((lines) => {
      const last = lines.at(-1);
      const line = { role: event.role, text: event.text, final: event.final, interrupted: event.interrupted ?? false };
      if (last && last.role === event.role && !last.final) return [...lines.slice(0, -1), { ...line, key: last.key }];
      return [...lines, { ...line, key: ++lineKey.current }];
    });
  }, []);

  const start = useCallback(
    async (options: { microphone: boolean }) => {
      setStatus('connecting');
      setError(null);
      setTranscript([]);
      setTurns([]);
      setEndedReason(null);
      setAudioReceivedS(0);
      try {
        // Created inside the click handler's task, so the browser lets it play sound.
        const context = new AudioContext({ sampleRate: SAMPLE_RATE_HZ, latencyHint: 'interactive' });
        const playback = new PlaybackQueue(context);
        resources.current = { context, playback };
        const session = await unwrap(
          api.POST('/v1/sessions', { body: { assistant_id: assistantId, transport: 'websocket', audio: { encoding: 'pcm_s16le', sample_rate_hz: SAMPLE_RATE_HZ } } }),
        );
        if (!session.websocket) throw new Error('The API did not return WebSocket connection details.');
        setSessionId(session.id);
        const streamUrl = new URL(session.websocket.url);
        const client = new SessionClient({ baseUrl: `${streamUrl.protocol}//${streamUrl.host}`, sessionId: session.id, token: session.websocket.token });
        resources.current.client = client;

        // Microphone frames flow only while the session is live (not before it starts, not after it ends).
        let streaming = false;
        client.on('session.started', () => {
          streaming = true;
          setStatus('live');
          setAgentState('listening');
        });
        client.on('user.speech.started', () => setAgentState('listening'));
        client.on('user.speech.stopped', () => setAgentState('thinking'));
        client.on('transcript', (event) => {
          addTranscript(event);
          if (event.role === 'user' && event.final) setAgentState('thinking');
        });
        client.on('assistant.audio.started', () => setAgentState('speaking'));
        client.on('assistant.audio.done', () => setAgentState('listening'));
        client.on('assistant.audio.cleared', () => {
          playback.clear();
          setAgentState('listening');
        });
        client.on('turn.metrics', (event) => setTurns((current) => [...current, event]));
        client.on('error', (event) => setError(`${event.code}: ${event.message}`));
        client.on('session.ended', (event) => {
          streaming = false;
          setEndedReason(event.reason);
        });
        client.onAudio((chunk) => {
          playback.enqueue(chunk);
          setAudioReceivedS(playback.receivedS);
        });
        void client.closed.then(({ code, reason }) => {
          streaming = false;
          setStatus((current) => (code === 1000 || current === 'live' ? 'ended' : 'failed'));
          if (code !== 1000 && reason) setError((current) => current ?? `Connection closed (${code}): ${reason}`);
          release();
        });
        await client.opened;

        if (options.microphone) {
          try {
            resources.current.mic = await captureMicrophone(context, (frame) => {
              if (streaming) client.sendAudio(new Uint8Array(frame));
            });
            setMicrophone('on');
          } catch (micError) {
            setMicrophone('denied');
            setError(`Microphone unavailable (${errorMessage(micError)}); you can still type.`);
          }
        }
      } catch (startError) {
        setStatus('failed');
        setError(errorMessage(startError));
        release();
      }
    },
    [assistantId, addTranscript, release],
  );

  return {
    status,
    agentState,
    sessionId,
    transcript,
    turns,
    microphone,
    endedReason,
    error,
    audioReceivedS,
    interruptionsEnabled,
    start,
    sendText(text) {
      resources.current.client?.sendText(text);
      setAgentState('thinking');
    },
    setInterruptions(enabled) {
      resources.current.client?.setInterruptions(enabled);
      setInterruptionsEnabled(enabled);
    },
    end() {
      resources.current.client?.end();
    },
  };
}
