import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { api, unwrap } from '../../api/client';
import { Empty, ErrorState, Loading } from '../../components/States';

const EvaluationTrendChart = lazy(() => import('./EvaluationTrendChart'));

/** An assistant's evaluations over the last 30 days, by day: pass rate and per-criterion trends. */
export function EvaluationTrends({ assistantId }: { assistantId: string }) {
  const stats = useQuery({
    queryKey: ['assistant', assistantId, 'evaluation-stats'],
    queryFn: () => unwrap(api.GET('/v1/assistants/{id}/evaluation-stats', { params: { path: { id: assistantId }, query: { bucket: 'day' } } })),
  });
  let body;
  if (stats.isPending) body = <Loading label="Loading trends…" />;
  else if (stats.isError) body = <ErrorState error={stats.error} retry={() => void stats.refetch()} />;
  else if (stats.data.buckets.length === 0) body = <Empty title="No evaluated sessions in the last 30 days.">Configure analysis below; sessions are evaluated when they end.</Empty>;
  else {
    const evaluations = stats.data.buckets.reduce((sum, bucket) => sum + bucket.evaluations, 0);
    const passed = stats.data.buckets.reduce((sum, bucket) => sum + bucket.passed, 0);
    body = (
      <>
        <p className="muted small" data-testid="trend-summary">
          {Math.round((passed / evaluations) * 100)}% of {evaluations} evaluated session{evaluations === 1 ? '' : 's'} passed in the last 30 days.
        </p>
        <Suspense fallback={<Loading label="Loading chart…" />}>
          <EvaluationTrendChart buckets={stats.data.buckets} />
        </Suspense>
      </>
    );
  }
  return (
    <section className="card form-section" aria-labelledby="trends-heading" data-testid="evaluation-trends">
      <h2 id="trends-heading">Evaluation trends</h2>
      {body}
    </section>
  );
}
