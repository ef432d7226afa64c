import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { formatDateTime } from '../../components/format';
import { ErrorState, Loading } from '../../components/States';

/** The webhook events EchoSphere emitted for the session, with their payloads on demand. */
export function SessionEvents({ sessionId }: { sessionId: string }) {
  const events = useQuery({
    queryKey: ['events', { session_id: sessionId }],
    queryFn: () => unwrap(api.GET('/v1/events', { params: { query: { session_id: sessionId, limit: 100 } } })),
  });
  if (events.isPending) return <Loading />;
  if (events.isError) return <ErrorState error={events.error} retry={() => void events.refetch()} />;
  if (events.data.data.length === 0) return <p className="muted small">No events yet.</p>;
  return (
    <ul className="events">
      {events.data.data.map((event) => (
        <li key={event.id}>
          <details>
            <summary>
              <code>{event.type}</code> <span className="muted small">{formatDateTime(event.created_at)}</span>
            </summary>
            <pre className="code-block">{JSON.stringify(event.data, null, 2)}</pre>
          </details>
        </li>
      ))}
    </ul>
  );
}
