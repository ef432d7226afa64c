import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { formatDateTime } from '../../components/format';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';

/** Deliveries to one endpoint, newest first, each with its attempts; polled so new ones and retries show up. */
export function DeliveryLog({ endpointId }: { endpointId: string }) {
  const queryClient = useQueryClient();
  const deliveries = useQuery({
    queryKey: ['deliveries', endpointId],
    queryFn: () => unwrap(api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: 50 } } })),
    refetchInterval: 2000,
  });
  const redeliver = useMutation({
    mutationFn: (delivery: Schemas['WebhookDelivery']) =>
      unwrap(api.POST('/v1/events/{id}/redeliver', { params: { path: { id: delivery.event_id } }, body: { endpoint_id: endpointId } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['deliveries', endpointId] }),
  });

  if (deliveries.isPending) return <Loading />;
  if (deliveries.isError) return <ErrorState error={deliveries.error} retry={() => void deliveries.refetch()} />;
  if (deliveries.data.data.length === 0) return <Empty title="No deliveries yet.">Send a test event to try the endpoint.</Empty>;
  return (
    <>
      <InlineError error={redeliver.error} />
      <ul className="deliveries" aria-label="Deliveries">
        {deliveries.data.data.map((delivery) => (
          <li key={delivery.id} className="delivery" data-event-type={delivery.event_type ?? ''}>
            <details>
              <summary>
                <StatusBadge status={delivery.status} />
                <code>{delivery.event_type ?? 'event'}</code>
                <span className="muted small">{formatDateTime(delivery.created_at)}</span>
                <span className="muted small">{delivery.attempt_count} attempt{delivery.attempt_count === 1 ? '' : 's'}</span>
              </summary>
              <div className="delivery-body">
                {delivery.failure_reason && <p className="inline-error">Gave up: {delivery.failure_reason}</p>}
                {delivery.next_attempt_at && <p className="muted small">Next attempt {formatDateTime(delivery.next_attempt_at)}</p>}
                <table className="table compact">
                  <thead>
                    <tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">Time</th><th scope="col">Response</th></tr>
                  </thead>
                  <tbody>
                    {delivery.attempts.map((attempt) => (
                      <tr key={attempt.attempted_at}>
                        <td>{formatDateTime(attempt.attempted_at)}</td>
                        <td>{attempt.status_code ?? '—'}</td>
                        <td>{attempt.latency_ms} ms</td>
                        <td><code className="response">{attempt.error ?? attempt.response_body ?? ''}</code></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <button type="button" className="button small" disabled={redeliver.isPending} onClick={() => redeliver.mutate(delivery)}>Redeliver</button>
              </div>
            </details>
          </li>
        ))}
      </ul>
    </>
  );
}
