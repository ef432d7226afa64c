import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormProvider, useFieldArray, useForm } from 'react-hook-form';
import { Link, useNavigate, useParams } from 'react-router';
import { Card } from '../../components/Card';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { LabelledSelect } from '../../components/LabelledSelect';
import { FormSection } from '../../components/FormSection';
import { PageHeader } from '../../components/PageHeader';
import { saveErrorLine } from '../../components/server-errors';
import { useFormSave } from '../../components/use-form-save';
import { ErrorState, InlineError, Loading } from '../../components/States';
import { useAssistants } from '../assistants/use-assistants';
import { RunHistory } from './RunHistory';
import { ScenarioEditor } from './ScenarioEditor';
import { newScenario, toSuiteForm, toSuiteRequest, type SuiteFormValues } from './suite-form';
import { testSuitesApi, type TestSuite } from './test-suites-api';
import { useStartRun } from './use-test-suites';

/** `/test-suites/:id`: edit a suite's scenarios, run it against an assistant, and its past runs. */
export default function TestSuitePage() {
  const { id } = useParams() as { id: string };
  const suite = useQuery({ queryKey: ['test-suite', id], queryFn: () => testSuitesApi.getSuite(id) });
  if (suite.isPending) return <Loading />;
  if (suite.isError) return <ErrorState error={suite.error} retry={() => void suite.refetch()} />;
  return (
    <>
      <SuiteForm key={suite.data.id} suite={suite.data} />
      <RunSuite suite={suite.data} />
      <Card title="Runs">
        <RunHistory filter={{ suite_id: suite.data.id }} />
      </Card>
    </>
  );
}

function SuiteForm({ suite }: { suite: TestSuite }) {
  const form = useForm<SuiteFormValues>({ defaultValues: toSuiteForm(suite) });
  const scenarios = useFieldArray({ control: form.control, name: 'scenarios' });
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { formError, run } = useFormSave(form, saveErrorLine);
  const save = useMutation({
    mutationFn: (values: SuiteFormValues) => testSuitesApi.updateSuite(suite.id, toSuiteRequest(values)),
    onSuccess: (saved) => {
      queryClient.setQueryData(['test-suite', saved.id], saved);
      form.reset(toSuiteForm(saved));
      void queryClient.invalidateQueries({ queryKey: ['test-suites'] });
    },
  });
  // A scenario added elsewhere (from a session's page) shows up here, unless it would overwrite edits.
  const { isDirty } = form.formState;
  useEffect(() => {
    if (!isDirty) form.reset(toSuiteForm(suite));
  }, [suite, form, isDirty]);
  const remove = async () => {
    await testSuitesApi.deleteSuite(suite.id);
    queryClient.removeQueries({ queryKey: ['test-suite', suite.id] });
    await queryClient.invalidateQueries({ queryKey: ['test-suites'] });
    void navigate('/test-suites');
  };

  const submit = form.handleSubmit((values) => run(() => save.mutateAsync(values)));

  const { register } = form;
  return (
    <FormProvider {...form}>
      <form onSubmit={submit} noValidate className="builder">
        <PageHeader
          title={suite.name}
          description={<><Link to="/test-suites">Test suites</Link> · <code>{suite.id}</code></>}
          actions={
            <>
              <ConfirmButton
                label="Delete suite"
                title={`Delete ${suite.name}?`}
                body={<p>The suite and its scenarios are removed. Sessions its runs made are kept.</p>}
                confirmLabel="Delete suite"
                onConfirm={remove}
              />
              <button type="submit" className="button primary" disabled={form.formState.isSubmitting}>
                {form.formState.isSubmitting ? 'Saving…' : 'Save suite'}
              </button>
            </>
          }
        />
        {formError && <p className="inline-error banner" role="alert">{formError}</p>}
        {save.isSuccess && !isDirty && <p className="callout success" role="status">Saved.</p>}

        <FormSection title="Suite">
          <Field name="name" label="Name">
            <input {...register('name')} />
          </Field>
          <Field name="description" label="Description" hint="Optional.">
            <input {...register('description')} />
          </Field>
        </FormSection>

        <FormSection title="Scenarios">
          {scenarios.fields.length === 0 && <p className="muted small">No scenarios yet. Add one, or turn a real session into one from its page.</p>}
          {scenarios.fields.map((scenario, index) => (
            <ScenarioEditor key={scenario.id} index={index} onRemove={() => scenarios.remove(index)} />
          ))}
          <div className="row">
            <button type="button" className="button small" onClick={() => scenarios.append(newScenario('turns'))}>Add scripted scenario</button>
            <button type="button" className="button small" onClick={() => scenarios.append(newScenario('persona'))}>Add persona scenario</button>
          </div>
        </FormSection>

        <div className="form-footer">
          <button type="submit" className="button primary" disabled={form.formState.isSubmitting}>Save suite</button>
        </div>
      </form>
    </FormProvider>
  );
}

/** Runs the saved suite against a saved assistant. */
function RunSuite({ suite }: { suite: TestSuite }) {
  const assistants = useAssistants();
  const [assistantId, setAssistantId] = useState('');
  const start = useStartRun();
  const chosen = assistantId || assistants.data?.[0]?.id || '';
  return (
    <Card title="Run">
      <p className="hint">Each scenario becomes a real session of the assistant (marked as a test: not billed, not in the session list by default), scored by its criteria.</p>
      <div className="row">
        <LabelledSelect label="Assistant" className="grow" value={chosen} onChange={setAssistantId} disabled={!assistants.data?.length}>
          {assistants.data?.map((assistant) => (
            <option key={assistant.id} value={assistant.id}>{assistant.name}</option>
          ))}
        </LabelledSelect>
        <button
          type="button"
          className="button primary"
          disabled={!chosen || suite.scenarios.length === 0 || start.isPending}
          onClick={() => start.mutate({ suiteId: suite.id, assistant_id: chosen })}
        >
          {start.isPending ? 'Starting…' : 'Run suite'}
        </button>
      </div>
      {suite.scenarios.length === 0 && <p className="muted small">Save at least one scenario to run the suite.</p>}
      {assistants.data?.length === 0 && <p className="muted small"><Link to="/assistants/new">Create an assistant</Link> to run the suite against.</p>}
      <InlineError error={start.error} />
    </Card>
  );
}
