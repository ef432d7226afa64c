import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { formatMs } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/States';
import { useOrganization } from '../settings/use-organization';
import { useTestCall, type CallTransport } from './use-test-call';

export default function TestCallPage() {
  const { id } = useParams();
  const assistant = useQuery({
    queryKey: ['assistant', id],
    queryFn: () => unwrap(api.GET('/v1/assistants/{id}', { params: { path: { id: id! } } })),
  });
  if (assistant.isPending) return <Loading />;
  if (assistant.isError) return <ErrorState error={assistant.error} retry={() => void assistant.refetch()} />;
  return <TestCall assistant={assistant.data} />;
}

const STATE_LABELS = { listening: 'Listening', thinking: 'Thinking', speaking: 'Speaking' } as const;
const TRANSPORT_LABELS: Record<CallTransport, string> = { websocket: 'WebSocket', livekit: 'WebRTC (LiveKit)' };

function TestCall({ assistant }: { assistant: Schemas['Assistant'] }) {
  const call = useTestCall(assistant.id, assistant.turn.interruptions_enabled);
  const hasTranscriber = assistant.transcriber.provider !== 'none';
  const [useMicrophone, setUseMicrophone] = useState(hasTranscriber);
  // The server says which transports it offers (LiveKit only when configured).
  const organization = useOrganization();
  const transports = organization.data?.transports ?? ['websocket'];
  const [chosenTransport, setTransport] = useState<CallTransport>('websocket');
  const transport = transports.includes(chosenTransport) ? chosenTransport : 'websocket';
  const [text, setText] = useState('');
  const transcriptEnd = useRef<HTMLLIElement>(null);
  const live = call.status === 'live';

  useEffect(() => {
    transcriptEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [call.transcript]);

  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    call.sendText(text.trim());
    setText('');
  };

  return (
    <>
      <PageHeader
        title={`Test call: ${assistant.name}`}
        description={hasTranscriber ? 'Talk through your microphone or type.' : 'This assistant has no transcriber: type what you would say.'}
        actions={<Link className="button ghost" to={`/assistants/${assistant.id}`}>Edit assistant</Link>}
      />
      <div className="call-layout">
        <section className="card call-main" aria-labelledby="call-heading">
          <div className="call-bar">
            <h2 id="call-heading" className="visually-hidden">Call</h2>
            <span className={`call-status ${call.status}`} data-testid="call-status">{call.status === 'live' ? 'Live' : call.status === 'connecting' ? 'Connecting…' : call.status === 'ended' ? 'Ended' : call.status === 'failed' ? 'Failed' : 'Not started'}</span>
            {live && (
              <span className={`agent-state ${call.agentState}`} data-testid="agent-state" aria-live="polite">
                <span className="dot" aria-hidden="true" />
                {STATE_LABELS[call.agentState]}
              </span>
            )}
            <span className="muted small" data-testid="audio-received">Assistant audio {call.audioReceivedS.toFixed(1)} s</span>
            <span className="spacer" />
            {call.status === 'idle' || call.status === 'ended' || call.status === 'failed' ? (
              <>
                {transports.length > 1 && (
                  <label className="inline-select small">
                    <span>Call over</span>
                    <select value={transport} onChange={(event) => setTransport(event.target.value as CallTransport)}>
                      {transports.map((option) => <option key={option} value={option}>{TRANSPORT_LABELS[option]}</option>)}
                    </select>
                  </label>
                )}
                {hasTranscriber && (
                  <label className="checkbox small">
                    <input type="checkbox" checked={useMicrophone} onChange={(event) => setUseMicrophone(event.target.checked)} />
                    <span>Use microphone</span>
                  </label>
                )}
                <button type="button" className="button primary" onClick={() => void call.start({ transport, microphone: hasTranscriber && useMicrophone })}>
                  {call.status === 'idle' ? 'Start call' : 'Call again'}
                </button>
              </>
            ) : (
              <>
                <label className="checkbox small">
                  <input type="checkbox" checked={call.interruptionsEnabled} disabled={!live} onChange={(event) => call.setInterruptions(event.target.checked)} />
                  <span>Interruptions</span>
                </label>
                <button type="button" className="button danger" onClick={call.end} disabled={!live}>End call</button>
              </>
            )}
          </div>
          {call.microphone === 'on' && <p className="muted small mic-on">Microphone on: speak any time.</p>}
          {call.error && <p className="inline-error" role="alert">{call.error}</p>}
          <ol className="live-transcript" aria-label="Transcript" aria-live="polite">
            {call.transcript.length === 0 && <li className="muted">{call.status === 'idle' ? 'Start the call to see the conversation here.' : 'Waiting for the first words…'}</li>}
            {call.transcript.map((line, position) => (
              <li key={position} className={`bubble ${line.role} ${line.final ? '' : 'interim'}`} data-role={line.role}>
                <span className="bubble-role">{line.role === 'user' ? 'You' : assistant.name}</span>
                {line.text}
                {line.interrupted && <span className="badge warning">interrupted</span>}
              </li>
            ))}
            <li ref={transcriptEnd} aria-hidden="true" className="anchor" />
          </ol>
          <form className="composer" onSubmit={send}>
            <label htmlFor="typed-input" className="visually-hidden">Type a message</label>
            <input id="typed-input" placeholder={live ? 'Type what the caller says…' : 'Start the call to type'} value={text} disabled={!live} onChange={(event) => setText(event.target.value)} />
            <button type="submit" className="button" disabled={!live || !text.trim()}>Send</button>
          </form>
          {call.sessionId && (call.status === 'ended' || call.status === 'failed') && (
            <p className="callout" role="status">
              Call ended{call.endedReason ? ` (${call.endedReason})` : ''}. <Link to={`/sessions/${call.sessionId}`}>Open the session</Link>
            </p>
          )}
        </section>
        <aside className="card call-side" aria-labelledby="latency-heading">
          <h2 id="latency-heading">Latency per turn</h2>
          {call.turns.length === 0 ? (
            <p className="muted small">Each assistant reply shows how long it took, from the end of your turn to its first audio.</p>
          ) : (
            <table className="table compact" data-testid="turn-latency">
              <thead>
                <tr><th scope="col">#</th><th scope="col">End of turn</th><th scope="col">LLM</th><th scope="col">TTS</th><th scope="col">Total</th></tr>
              </thead>
              <tbody>
                {call.turns.map((turn, index) => (
                  <tr key={turn.message_id}>
                    <td>{index + 1}</td>
                    <td>{formatMs(turn.end_of_turn_delay_ms)}</td>
                    <td>{formatMs(turn.llm_ttft_ms)}</td>
                    <td>{formatMs(turn.tts_ttfb_ms)}</td>
                    <td><strong>{formatMs(turn.e2e_ms)}</strong></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {call.sessionId && <p className="muted small">Session <code>{call.sessionId}</code></p>}
        </aside>
      </div>
    </>
  );
}
