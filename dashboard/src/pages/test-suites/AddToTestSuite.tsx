import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { Card } from '../../components/Card';
import { LabelledSelect } from '../../components/LabelledSelect';
import { InlineError } from '../../components/States';
import { testSuitesApi, type ScenarioInputMode } from './test-suites-api';
import { useTestSuites } from './use-test-suites';

/**
 * On a session's page: turns the conversation into a regression scenario of a suite (its caller turns replayed, its
 * assistant's scorecard as the expected outcome).
 */
export function AddToTestSuite({ sessionId }: { sessionId: string }) {
  const suites = useTestSuites();
  const queryClient = useQueryClient();
  const [suiteId, setSuiteId] = useState('');
  const [input, setInput] = useState<ScenarioInputMode>('text');
  const chosen = suiteId || suites.data?.[0]?.id || '';
  const add = useMutation({
    mutationFn: (target: string) => testSuitesApi.scenarioFromSession(target, { session_id: sessionId, input }),
    onSuccess: (_scenario, target) => {
      void queryClient.invalidateQueries({ queryKey: ['test-suite', target] });
      void queryClient.invalidateQueries({ queryKey: ['test-suites'] });
    },
  });
  const addedTo = suites.data?.find((suite) => suite.id === add.variables);

  return (
    <Card title="Test suites">
      {suites.data?.length === 0 ? (
        <p className="muted small">No test suites yet: <Link to="/test-suites">create one</Link>, then add this conversation to it.</p>
      ) : (
        <>
          <p className="hint">Replays the caller's turns against the assistant, expecting what its scorecard expects.</p>
          <div className="row">
            <LabelledSelect label="Suite" className="grow" value={chosen} onChange={setSuiteId} disabled={!suites.data}>
              {suites.data?.map((suite) => (
                <option key={suite.id} value={suite.id}>{suite.name}</option>
              ))}
            </LabelledSelect>
            <LabelledSelect label="The caller" value={input} onChange={(value) => setInput(value as ScenarioInputMode)}>
              <option value="text">types its turns</option>
              <option value="speech">speaks its turns in its recorded voice</option>
            </LabelledSelect>
          </div>
          <button type="button" className="button" disabled={!chosen || add.isPending} onClick={() => add.mutate(chosen)}>
            {add.isPending ? 'Adding…' : 'Add to test suite'}
          </button>
        </>
      )}
      {add.isSuccess && (
        <p className="callout success" role="status">
          Added “{add.data.name}” to <Link to={`/test-suites/${add.variables}`}>{addedTo?.name ?? 'the suite'}</Link>.
        </p>
      )}
      <InlineError error={add.error} />
    </Card>
  );
}
