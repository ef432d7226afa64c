import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { CreateFormFooter } from '../../components/CreateFormFooter';
import { Field } from '../../components/Field';
import { formatDateTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { unplacedErrorLine } from '../../components/server-errors';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormSave } from '../../components/use-form-save';
import { useAssistants } from '../assistants/use-assistants';
import { RunHistory } from './RunHistory';
import { testSuitesApi } from './test-suites-api';
import { useTestSuites } from './use-test-suites';

/** `/test-suites`: every suite, a new one, and the runs of one assistant (`?assistant=asst_…`, kept in the URL). */
export default function TestSuitesPage() {
  const suites = useTestSuites();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Test suites"
        description="Scenarios played by simulated callers against an assistant, through the real runtime, and scored."
        actions={!creating && <button type="button" className="button primary" onClick={() => setCreating(true)}>New suite</button>}
      />
      {creating && <CreateSuite onCancel={() => setCreating(false)} />}
      {suites.isPending ? (
        <Loading />
      ) : suites.isError ? (
        <ErrorState error={suites.error} retry={() => void suites.refetch()} />
      ) : suites.data.length === 0 ? (
        <Empty title="No test suites yet.">Create one, or turn a session into a scenario from its page.</Empty>
      ) : (
        <ul className="card-list" aria-label="Test suites">
          {suites.data.map((suite) => (
            <li key={suite.id} className="card list-item">
              <div className="list-main">
                <Link to={`/test-suites/${suite.id}`} className="list-title">{suite.name}</Link>
                <span className="muted small">
                  {suite.scenarios.length} scenario{suite.scenarios.length === 1 ? '' : 's'}{suite.description && ` · ${suite.description}`}
                </span>
                <span className="muted small">Updated {formatDateTime(suite.updated_at)}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
      <AssistantRuns />
    </>
  );
}

function CreateSuite({ onCancel }: { onCancel: () => void }) {
  const form = useForm({ defaultValues: { name: '', description: '' } });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { formError, run } = useFormSave(form, unplacedErrorLine);
  const create = useMutation({
    mutationFn: (values: { name: string; description: string }) => testSuitesApi.createSuite({ name: values.name.trim(), description: values.description.trim() || null }),
    onSuccess: (suite) => {
      queryClient.setQueryData(['test-suite', suite.id], suite);
      void queryClient.invalidateQueries({ queryKey: ['test-suites'] });
      void navigate(`/test-suites/${suite.id}`);
    },
  });
  const submit = form.handleSubmit((values) => run(() => create.mutateAsync(values)));
  return (
    <FormProvider {...form}>
      <form className="card form-section" onSubmit={submit} noValidate aria-label="New test suite">
        <h2>New suite</h2>
        <div className="grid two">
          <Field name="name" label="Suite name">
            <input {...form.register('name')} />
          </Field>
          <Field name="description" label="Description" hint="Optional.">
            <input {...form.register('description')} />
          </Field>
        </div>
        <CreateFormFooter error={formError} submitLabel="Create suite" onCancel={onCancel} />
      </form>
    </FormProvider>
  );
}

function AssistantRuns() {
  const [params, setParams] = useSearchParams();
  const assistants = useAssistants();
  const assistantId = params.get('assistant') ?? assistants.data?.[0]?.id ?? '';
  const choose = (id: string) => {
    const next = new URLSearchParams(params);
    next.set('assistant', id);
    setParams(next, { replace: true });
  };
  return (
    <section className="card" aria-labelledby="assistant-runs-heading">
      <div className="card-heading">
        <h2 id="assistant-runs-heading">Runs by assistant</h2>
        <label className="inline-select">
          <span className="visually-hidden">Assistant</span>
          <select value={assistantId} onChange={(event) => choose(event.target.value)} disabled={!assistants.data?.length}>
            {assistants.data?.map((assistant) => (
              <option key={assistant.id} value={assistant.id}>{assistant.name}</option>
            ))}
          </select>
        </label>
      </div>
      {assistantId ? <RunHistory filter={{ assistant_id: assistantId }} /> : <Empty title="No assistants yet." />}
    </section>
  );
}
