import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { formatDateTime, formatDuration } from '../../components/format';
import { Empty, ErrorState, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { useAssistants } from '../assistants/use-assistants';
import { testSuitesApi } from './test-suites-api';
import { runFinished, useTestSuites } from './use-test-suites';

/** The newest runs of one suite or of one assistant; refreshed while any of them is still going. */
export function RunHistory({ filter }: { filter: { suite_id: string } | { assistant_id: string } }) {
  const runs = useQuery({
    queryKey: ['test-runs', filter],
    queryFn: () => testSuitesApi.listRuns(filter),
    refetchInterval: (query) => (query.state.data?.data.every(runFinished) === false ? 2000 : false),
  });
  // A suite's runs name their assistant, an assistant's their suite: only that list is fetched.
  const bySuite = 'suite_id' in filter;
  const suites = useTestSuites({ enabled: !bySuite });
  const assistants = useAssistants({ enabled: bySuite });
  const suiteName = new Map((suites.data ?? []).map((suite) => [suite.id, suite.name]));
  const assistantName = new Map((assistants.data ?? []).map((assistant) => [assistant.id, assistant.name]));

  if (runs.isPending) return <Loading label="Loading runs…" />;
  if (runs.isError) return <ErrorState error={runs.error} retry={() => void runs.refetch()} />;
  if (runs.data.data.length === 0) return <Empty title="No runs yet." />;
  return (
    <div className="table-card">
      <table className="table compact" aria-label="Test runs">
        <thead>
          <tr>
            <th>Started</th>
            {bySuite ? <th>Assistant</th> : <th>Suite</th>}
            <th>Status</th>
            <th>Passed</th>
            <th className="hide-narrow">Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.data.data.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
              <td><Link to={`/test-runs/${run.id}`}>{formatDateTime(run.created_at)}</Link></td>
              <td>
                {bySuite ? assistantName.get(run.assistant_id) ?? run.assistant_id : suiteName.get(run.suite_id) ?? run.suite_id}
                {run.assistant_patch && <span className="badge info" title="Run with changes not saved to the assistant">unsaved changes</span>}
              </td>
              <td><StatusBadge status={run.status} /></td>
              <td>{run.summary.passed} / {run.summary.total}</td>
              <td className="hide-narrow">{formatDuration(run.summary.duration_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
