import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { formatDateTime, formatDuration } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { ErrorState, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { useAssistants } from '../assistants/use-assistants';
import { ScoreList } from '../evaluations/EvaluationPanel';
import { testSuitesApi, type ScenarioResult } from './test-suites-api';
import { runFinished } from './use-test-suites';

/** `/test-runs/:id`: a run's report, polled while it runs, so results appear as scenarios finish. */
export default function TestRunPage() {
  const { id } = useParams() as { id: string };
  const run = useQuery({
    queryKey: ['test-run', id],
    queryFn: () => testSuitesApi.getRun(id),
    refetchInterval: (query) => (runFinished(query.state.data) ? false : 1000),
  });
  const suite = useQuery({ queryKey: ['test-suite', run.data?.suite_id], queryFn: () => testSuitesApi.getSuite(run.data!.suite_id), enabled: run.data !== undefined });
  const assistants = useAssistants();

  if (run.isPending) return <Loading />;
  if (run.isError) return <ErrorState error={run.error} retry={() => void run.refetch()} />;
  const data = run.data;
  const assistantName = assistants.data?.find((assistant) => assistant.id === data.assistant_id)?.name ?? data.assistant_id;
  const { summary } = data;

  return (
    <>
      <PageHeader
        title={<>Test run <code className="title-code">{data.id}</code></>}
        description={
          <>
            <Link to={`/test-suites/${data.suite_id}`}>{suite.data?.name ?? data.suite_id}</Link> against{' '}
            <Link to={`/assistants/${data.assistant_id}`}>{assistantName}</Link>
            {data.assistant_patch && ' with unsaved changes'} · started {formatDateTime(data.started_at ?? data.created_at)}
          </>
        }
        actions={<span data-testid="run-status"><StatusBadge status={data.status} /></span>}
      />
      <div className="stats" aria-label="Summary">
        <Stat label="Passed" value={`${summary.passed} / ${summary.total}`} testId="run-passed" />
        <Stat label="Failed" value={String(summary.failed)} testId="run-failed" />
        <Stat label="Errors" value={String(summary.errored)} />
        <Stat label="Duration" value={formatDuration(summary.duration_ms)} />
        <Stat label="Finished" value={data.completed_at ? formatDateTime(data.completed_at) : 'running…'} />
      </div>
      {data.assistant_patch && (
        <details className="card">
          <summary>The unsaved changes this run used</summary>
          <pre className="code-block" data-testid="assistant-patch">{JSON.stringify(data.assistant_patch, null, 2)}</pre>
        </details>
      )}
      <ol className="card-list results" aria-label="Scenario results">
        {data.results.map((result) => (
          <ScenarioResultCard key={result.scenario_id} result={result} />
        ))}
      </ol>
    </>
  );
}

function ScenarioResultCard({ result }: { result: ScenarioResult }) {
  return (
    <li className="card" data-scenario={result.scenario_name} data-status={result.status}>
      <div className="card-heading">
        <h2>{result.scenario_name}</h2>
        <div className="actions">
          <span className="muted small">{formatDuration(result.duration_ms)}</span>
          <StatusBadge status={result.status} />
        </div>
      </div>
      {result.error && <p className="inline-error" role="alert">{result.error}</p>}
      {result.scores.length > 0 && <ScoreList scores={result.scores} />}
      {result.session_id && <Link className="button small" to={`/sessions/${result.session_id}`}>Open session</Link>}
    </li>
  );
}
