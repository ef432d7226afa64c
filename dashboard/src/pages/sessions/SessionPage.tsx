import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/api-error';
import { api, unwrap, type Schemas } from '../../api/client';
import { listAll } from '../../api/list-all';
import { Card } from '../../components/Card';
import { formatDateTime, formatDuration, formatMs } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { Empty, ErrorState, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { EvaluationPanel } from '../evaluations/EvaluationPanel';
import { AddToTestSuite } from '../test-suites/AddToTestSuite';
import { RecordingPlayer } from './RecordingPlayer';
import { SessionEvents } from './SessionEvents';
import { SyncedTranscript } from './SyncedTranscript';
import { CostBreakdown } from './CostBreakdown';

const LatencyChart = lazy(() => import('./LatencyChart'));

export default function SessionPage() {
  const { id } = useParams() as { id: string };
  const session = useQuery({
    queryKey: ['session', id],
    queryFn: () => unwrap(api.GET('/v1/sessions/{id}', { params: { path: { id } } })),
    // A live session changes; poll until it has ended.
    refetchInterval: (query) => (query.state.data && ['ended', 'failed'].includes(query.state.data.status) ? false : 2000),
  });
  const messages = useQuery({
    queryKey: ['session', id, 'messages'],
    queryFn: () =>
      listAll((starting_after) =>
        unwrap(api.GET('/v1/sessions/{id}/messages', { params: { path: { id }, query: { limit: 100, ...(starting_after ? { starting_after } : {}) } } })),
      ),
    refetchInterval: session.data && ['ended', 'failed'].includes(session.data.status) ? false : 2000,
  });
  const [positionMs, setPositionMs] = useState(0);
  const [seekRequest, setSeekRequest] = useState<{ ms: number; nonce: number } | null>(null);
  // The transcript moves at once (the recording may not be playable yet); the player follows when it is.
  const seek = useCallback((ms: number) => {
    setPositionMs(ms);
    setSeekRequest({ ms, nonce: Date.now() });
  }, []);

  if (session.isPending) return <Loading />;
  if (session.isError) return <ErrorState error={session.error} retry={() => void session.refetch()} />;
  const data = session.data;

  return (
    <>
      <PageHeader
        title={<>Session <code className="title-code">{data.id}</code></>}
        description={
          <>
            <Link to={`/assistants/${data.assistant_id}`}>{data.assistant.name}</Link> · {data.transport}{data.source === 'test' && ' · played by a test run'} · created {formatDateTime(data.created_at)}
          </>
        }
        actions={<StatusBadge status={data.status} />}
      />
      <div className="stats">
        <Stat label="Ended reason" value={data.ended_reason ?? (data.status === 'active' ? 'in progress' : '—')} testId="ended-reason" />
        <Stat label="Duration" value={formatDuration(data.duration_ms)} />
        <Stat label="Median latency" value={formatMs(data.latency?.p50_ms)} />
        <Stat label="p95 latency" value={formatMs(data.latency?.p95_ms)} />
        <Stat label="Turns" value={String(data.latency?.turns ?? 0)} />
      </div>

      <div className="session-layout">
        <Card title="Recording">
          <Recording session={data} onTime={setPositionMs} seekRequest={seekRequest} />
          <h2 id="transcript-heading">Transcript</h2>
          {messages.isPending ? (
            <Loading />
          ) : messages.isError ? (
            <ErrorState error={messages.error} retry={() => void messages.refetch()} />
          ) : (
            <SyncedTranscript messages={messages.data} positionMs={positionMs} onSeek={seek} assistantName={data.assistant.name} />
          )}
        </Card>
        <div className="session-side">
          <EvaluationPanel session={data} onSeek={seek} />
          {(data.status === 'ended' || data.status === 'failed') && <AddToTestSuite sessionId={data.id} />}
          <Card title="Latency per turn">
            <Suspense fallback={<Loading label="Loading chart…" />}>
              {messages.data && <LatencyChart messages={messages.data} />}
            </Suspense>
          </Card>
          <Card title="Usage">
            <Usage usage={data.usage} />
          </Card>
          <Card title="Cost">
            <CostBreakdown cost={data.cost} status={data.status} />
          </Card>
          <Card title="Events">
            <SessionEvents sessionId={data.id} />
          </Card>
        </div>
      </div>
    </>
  );
}

function Recording(props: { session: Schemas['Session']; onTime: (ms: number) => void; seekRequest: { ms: number; nonce: number } | null }) {
  const id = props.session.id;
  const pending = (status: string | undefined) => status === 'recording' || status === 'processing';
  const recording = useQuery({
    queryKey: ['session', id, 'recording'],
    queryFn: () => unwrap(api.GET('/v1/sessions/{id}/recording', { params: { path: { id } } })),
    enabled: props.session.recording !== null,
    refetchInterval: (query) => (pending(query.state.data?.status) ? 2000 : false),
  });
  if (props.session.recording === null) return <Empty title="This session was not recorded." />;
  if (recording.isPending) return <Loading label="Loading recording…" />;
  if (recording.isError) {
    if (recording.error instanceof ApiError && recording.error.status === 404) return <Empty title="No recording for this session." />;
    return <ErrorState error={recording.error} retry={() => void recording.refetch()} />;
  }
  const { status, failure_reason } = recording.data;
  if (pending(status)) return <Loading label="The recording is being processed…" />;
  if (status === 'failed') return <Empty title="The recording could not be processed.">{failure_reason}</Empty>;
  if (status === 'skipped') return <Empty title="Nothing was heard in this session, so there is no recording.">{failure_reason}</Empty>;
  if (status === 'deleted') return <Empty title="The recording was deleted (retention or on request)." />;
  return <RecordingPlayer recording={recording.data} onTime={props.onTime} seekRequest={props.seekRequest} />;
}

function Usage({ usage }: { usage: Schemas['Usage'] | null }) {
  if (!usage) return <p className="muted small">Usage is reported when the session ends.</p>;
  const rows: [string, string][] = [
    ['Caller audio', formatDuration(usage.audio_in_ms)],
    ['Assistant audio', formatDuration(usage.audio_out_ms)],
    ['Transcribed audio', formatDuration(usage.stt_audio_ms)],
    ['LLM prompt tokens', String(usage.llm_prompt_tokens)],
    ['LLM completion tokens', String(usage.llm_completion_tokens)],
    ['TTS characters', String(usage.tts_characters)],
  ];
  return (
    <dl className="kv">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
