import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { paths } from '../../../../openapi/generated/schema';
import { api, unwrap, type Schemas } from '../../api/client';
import { formatDateTime, formatDuration } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorState, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { useAssistants } from '../assistants/use-assistants';

const PAGE_SIZE = 20;
type Status = Schemas['SessionStatus'];
type Source = NonNullable<NonNullable<paths['/v1/sessions']['get']['parameters']['query']>['source']>;

/** Filters live in the URL (shareable, survive reloads); paging keeps a stack of cursors for "Newer". */
export function SessionsPage() {
  const [params, setParams] = useSearchParams();
  const [cursors, setCursors] = useState<string[]>([]);
  const assistants = useAssistants();
  const filters = {
    assistant_id: params.get('assistant') ?? '',
    status: (params.get('status') ?? '') as Status | '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    source: (params.get('source') ?? '') as Source | '',
  };
  const startingAfter = cursors.at(-1);

  const sessions = useQuery({
    queryKey: ['sessions', filters, startingAfter],
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(
        api.GET('/v1/sessions', {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(startingAfter ? { starting_after: startingAfter } : {}),
              ...(filters.assistant_id ? { assistant_id: filters.assistant_id } : {}),
              ...(filters.status ? { status: filters.status } : {}),
              ...(filters.source ? { source: filters.source } : {}),
              ...(filters.from ? { created_after: new Date(`${filters.from}T00:00:00`).toISOString() } : {}),
              ...(filters.to ? { created_before: new Date(new Date(`${filters.to}T00:00:00`).getTime() + 86_400_000).toISOString() } : {}),
            },
          },
        }),
      ),
  });

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setCursors([]);
  };
  const assistantName = new Map((assistants.data ?? []).map((assistant) => [assistant.id, assistant.name]));

  return (
    <>
      <PageHeader title="Sessions" description="Every call, with its transcript, recording, latency and usage." />
      <form className="filters" aria-label="Filter sessions" onSubmit={(event) => event.preventDefault()}>
        <label>
          <span>Assistant</span>
          <select value={filters.assistant_id} onChange={(event) => setFilter('assistant', event.target.value)}>
            <option value="">All assistants</option>
            {(assistants.data ?? []).map((assistant) => (
              <option key={assistant.id} value={assistant.id}>{assistant.name}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Status</span>
          <select value={filters.status} onChange={(event) => setFilter('status', event.target.value)}>
            <option value="">Any status</option>
            {(['created', 'active', 'ended', 'failed'] as const).map((status) => (
              <option key={status} value={status}>{status}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Source</span>
          <select value={filters.source} onChange={(event) => setFilter('source', event.target.value)}>
            <option value="">All but test runs</option>
            <option value="api">API</option>
            <option value="dashboard">Dashboard</option>
            <option value="test">Test runs</option>
            <option value="all">All</option>
          </select>
        </label>
        <label>
          <span>From</span>
          <input type="date" value={filters.from} onChange={(event) => setFilter('from', event.target.value)} />
        </label>
        <label>
          <span>To</span>
          <input type="date" value={filters.to} onChange={(event) => setFilter('to', event.target.value)} />
        </label>
      </form>
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} retry={() => void sessions.refetch()} />
      ) : sessions.data.data.length === 0 ? (
        <Empty title="No sessions match.">Start a test call from an assistant to see one here.</Empty>
      ) : (
        <div className="card table-card">
          <table className="table" aria-label="Sessions">
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Assistant</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">Ended reason</th>
                <th scope="col">Duration</th>
                <th scope="col" className="hide-narrow">Created</th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.data.map((session) => (
                <tr key={session.id}>
                  <td><Link to={`/sessions/${session.id}`}><code>{session.id.slice(0, 14)}…</code></Link></td>
                  <td>{assistantName.get(session.assistant_id) ?? session.assistant.name}</td>
                  <td><StatusBadge status={session.status} /></td>
                  <td className="hide-narrow">{session.ended_reason ?? '—'}</td>
                  <td>{formatDuration(session.duration_ms)}</td>
                  <td className="hide-narrow">{formatDateTime(session.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" className="button small" disabled={cursors.length === 0} onClick={() => setCursors((current) => current.slice(0, -1))}>Newer</button>
            <span className="muted small">Page {cursors.length + 1}</span>
            <button
              type="button"
              className="button small"
              disabled={!sessions.data.has_more}
              onClick={() => setCursors((current) => [...current, sessions.data.data.at(-1)!.id])}
            >
              Older
            </button>
          </div>
        </div>
      )}
    </>
  );
}
