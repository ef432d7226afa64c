import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { FormProvider, useForm, type UseFormReturn } from 'react-hook-form';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { CheckboxField, Field } from '../../components/Field';
import { markServerErrors, saveErrorLine } from '../../components/server-errors';
import { useFormSave } from '../../components/use-form-save';
import { FormSection } from '../../components/FormSection';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/States';
import { emptyForm, FormFieldError, toForm, toRequest, type AssistantFormValues } from './assistant-form';
import { CallSection, ToolsSection, TurnSection } from './BehaviourSections';
import { AnalysisSection } from '../evaluations/AnalysisSection';
import { EvaluationTrends } from '../evaluations/EvaluationTrends';
import { ModelSection, TranscriberSection, VoiceSection } from './ProviderSections';

// The test-suite pieces of an existing assistant's page load with it, not with the app.
const RunUnsavedChanges = lazy(() => import('../test-suites/RunUnsavedChanges'));
const AssistantTestRuns = lazy(() => import('../test-suites/AssistantTestRuns'));

/** Create (`/assistants/new`) or edit (`/assistants/:id`) every field of an assistant. */
export function AssistantBuilderPage() {
  const { id } = useParams();
  const existing = useQuery({
    queryKey: ['assistant', id],
    queryFn: () => unwrap(api.GET('/v1/assistants/{id}', { params: { path: { id: id! } } })),
    enabled: id !== undefined,
  });
  if (id && existing.isPending) return <Loading />;
  if (id && existing.isError) return <ErrorState error={existing.error} retry={() => void existing.refetch()} />;
  return (
    <>
      <AssistantForm key={id ?? 'new'} assistant={existing.data} />
      {existing.data && <EvaluationTrends assistantId={existing.data.id} />}
      {existing.data && (
        <Suspense fallback={<Loading label="Loading test runs…" />}>
          <AssistantTestRuns assistantId={existing.data.id} />
        </Suspense>
      )}
    </>
  );
}

/** The builder's error line: a field the form itself could not turn into a request, or what the API refused. */
function builderErrorLine(form: UseFormReturn<AssistantFormValues>, error: unknown): string {
  return error instanceof FormFieldError ? markServerErrors(form, [{ param: error.field, message: error.message }]) : saveErrorLine(form, error);
}

function AssistantForm({ assistant }: { assistant?: Schemas['Assistant'] }) {
  const form = useForm<AssistantFormValues>({ defaultValues: assistant ? toForm(assistant) : emptyForm() });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { formError, run } = useFormSave(form, builderErrorLine);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (saved) {
      const timer = setTimeout(() => setSaved(false), 3000);
      return () => clearTimeout(timer);
    }
  }, [saved]);

  const save = useMutation({
    mutationFn: (body: Schemas['CreateAssistantRequest']) =>
      assistant
        ? unwrap(api.PATCH('/v1/assistants/{id}', { params: { path: { id: assistant.id } }, body }))
        : unwrap(api.POST('/v1/assistants', { body })),
    onSuccess: (saved) => {
      queryClient.setQueryData(['assistant', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['assistants'] });
      form.reset(toForm(saved));
      setSaved(true);
      if (!assistant) void navigate(`/assistants/${saved.id}`, { replace: true });
    },
  });

  const submit = form.handleSubmit((values) => run(() => save.mutateAsync(toRequest(values))));

  const { register } = form;
  return (
    <FormProvider {...form}>
      <form onSubmit={submit} noValidate className="builder">
        <PageHeader
          title={assistant ? assistant.name : 'New assistant'}
          description={assistant ? <code>{assistant.id}</code> : 'Every setting has a working default: a name and a prompt are enough to start.'}
          actions={
            <>
              {assistant && <Link className="button" to={`/assistants/${assistant.id}/call`}>Test call</Link>}
              <button type="submit" className="button primary" disabled={form.formState.isSubmitting}>
                {form.formState.isSubmitting ? 'Saving…' : assistant ? 'Save changes' : 'Create assistant'}
              </button>
            </>
          }
        />
        {formError && <p className="inline-error banner" role="alert">{formError}</p>}
        {saved && <p className="callout success" role="status">Saved.</p>}

        <FormSection title="Basics">
          <Field name="name" label="Name">
            <input {...register('name')} />
          </Field>
          <Field name="system_prompt" label="System prompt" hint="Who the assistant is and how it behaves.">
            <textarea rows={6} {...register('system_prompt')} />
          </Field>
          <Field name="first_message" label="First message" hint="What the assistant says when the call starts. Empty: it waits for the user.">
            <input {...register('first_message')} />
          </Field>
          <CheckboxField name="first_message_interruptible" label="The user may interrupt the first message" />
        </FormSection>

        <ModelSection />
        <VoiceSection />
        <TranscriberSection />
        <TurnSection />
        <ToolsSection />
        <CallSection />
        <AnalysisSection />
        {assistant && (
          <Suspense fallback={<Loading />}>
            <RunUnsavedChanges assistant={assistant} />
          </Suspense>
        )}

        <div className="form-footer">
          <button type="submit" className="button primary" disabled={form.formState.isSubmitting}>
            {assistant ? 'Save changes' : 'Create assistant'}
          </button>
        </div>
      </form>
    </FormProvider>
  );
}
