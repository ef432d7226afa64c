import { useState } from 'react';
import { useFormContext } from 'react-hook-form';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { FormSection } from '../../components/FormSection';
import { LabelledSelect } from '../../components/LabelledSelect';
import { InlineError } from '../../components/States';
import { toForm, toRequest, type AssistantFormValues } from '../assistants/assistant-form';
import { assistantPatch } from './assistant-patch';
import { useStartRun, useTestSuites } from './use-test-suites';

/**
 * In the builder: runs a suite against the assistant as it is on screen. The edits are sent as the run's
 * `assistant_patch`, so a prompt change is tested before it is saved (and the saved assistant is left alone).
 */
export default function RunUnsavedChanges({ assistant }: { assistant: Schemas['Assistant'] }) {
  const form = useFormContext<AssistantFormValues>();
  const suites = useTestSuites();
  const [suiteId, setSuiteId] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const start = useStartRun();
  const chosen = suiteId || suites.data?.[0]?.id || '';

  const run = () => {
    setProblem(null);
    let patch: Schemas['UpdateAssistantRequest'];
    try {
      patch = assistantPatch(toRequest(toForm(assistant)), toRequest(form.getValues()));
    } catch (error) {
      return setProblem(error);
    }
    start.mutate({ suiteId: chosen, assistant_id: assistant.id, ...(Object.keys(patch).length > 0 ? { assistant_patch: patch } : {}) });
  };

  return (
    <FormSection title="Test suite">
      <p className="hint">Runs a suite against this assistant with the changes on this page, saved or not. The saved assistant is not changed.</p>
      {suites.data?.length === 0 ? (
        <p className="muted small">No test suites yet: <Link to="/test-suites">create one</Link>.</p>
      ) : (
        <div className="row">
          <LabelledSelect label="Suite" className="grow" value={chosen} onChange={setSuiteId} disabled={!suites.data}>
            {suites.data?.map((suite) => (
              <option key={suite.id} value={suite.id}>{suite.name}</option>
            ))}
          </LabelledSelect>
          <button type="button" className="button" disabled={!chosen || start.isPending} onClick={run}>
            {start.isPending ? 'Starting…' : 'Run suite against unsaved changes'}
          </button>
        </div>
      )}
      <InlineError error={problem ?? start.error} />
    </FormSection>
  );
}
