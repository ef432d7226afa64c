import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm, useWatch } from 'react-hook-form';
import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { formatDateTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { SecretReveal } from '../../components/SecretReveal';
import { unplacedErrorLine } from '../../components/server-errors';
import { Empty, ErrorState, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { useFormSave } from '../../components/use-form-save';
import { useAssistants } from '../assistants/use-assistants';

interface KeyFormValues {
  name: string;
  type: 'secret' | 'public';
  allowed_assistant_ids: string[];
  allowed_origins: string;
}

export function ApiKeysPage() {
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => unwrap(api.GET('/v1/api-keys', { params: { query: { limit: 100 } } })) });
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<Schemas['ApiKey'] | null>(null);

  return (
    <>
      <PageHeader title="API keys" description="Secret keys for your backend; public keys for browsers and apps (they may only start sessions)." />
      {created?.key && <SecretReveal label={`Your new ${created.type} key "${created.name}"`} secret={created.key} onDismiss={() => setCreated(null)} />}
      <CreateKey onCreated={setCreated} />
      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <ErrorState error={keys.error} retry={() => void keys.refetch()} />
      ) : keys.data.data.length === 0 ? (
        <Empty title="No keys." />
      ) : (
        <div className="card table-card">
          <table className="table" aria-label="API keys">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col" className="hide-narrow">Created</th><th scope="col" className="hide-narrow">Last used</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {keys.data.data.map((key) => (
                <tr key={key.id}>
                  <td>
                    {key.name} <span className="muted small">{key.type}</span>
                    {key.expires_at && !key.revoked_at && <div className="muted small">expires {formatDateTime(key.expires_at)}</div>}
                  </td>
                  <td><code>{key.prefix}…</code></td>
                  <td className="hide-narrow">{formatDateTime(key.created_at)}</td>
                  <td className="hide-narrow">{formatDateTime(key.last_used_at)}</td>
                  <td className="align-end">
                    {key.revoked_at ? (
                      <StatusBadge status="revoked" />
                    ) : key.expires_at && Date.parse(key.expires_at) <= Date.now() ? (
                      <StatusBadge status="expired" />
                    ) : (
                      <ConfirmButton
                        label="Revoke"
                        title={`Revoke ${key.name}?`}
                        body={<p>Requests with this key fail from now on. If you are signed in with it, you will be signed out.</p>}
                        confirmLabel="Revoke key"
                        onConfirm={async () => {
                          await unwrap(api.DELETE('/v1/api-keys/{id}', { params: { path: { id: key.id } } }));
                          await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: Schemas['ApiKey']) => void }) {
  const form = useForm<KeyFormValues>({ defaultValues: { name: '', type: 'secret', allowed_assistant_ids: [], allowed_origins: '' } });
  const type = useWatch({ control: form.control, name: 'type' });
  const assistants = useAssistants();
  const queryClient = useQueryClient();
  const { formError, run } = useFormSave(form, unplacedErrorLine);
  const create = useMutation({
    mutationFn: (values: KeyFormValues) =>
      unwrap(
        api.POST('/v1/api-keys', {
          body:
            values.type === 'secret'
              ? { type: 'secret', ...(values.name.trim() ? { name: values.name.trim() } : {}) }
              : {
                  type: 'public',
                  ...(values.name.trim() ? { name: values.name.trim() } : {}),
                  allowed_assistant_ids: values.allowed_assistant_ids,
                  allowed_origins: values.allowed_origins.split(/[\s,]+/).filter(Boolean),
                },
        }),
      ),
    onSuccess: (key) => {
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
      form.reset();
      onCreated(key);
    },
  });
  const submit = form.handleSubmit((values) => run(() => create.mutateAsync(values)));
  return (
    <FormProvider {...form}>
      <form className="card form-section" onSubmit={submit} noValidate aria-label="Create an API key">
        <h2>Create a key</h2>
        <div className="grid two">
          <Field name="name" label="Name" hint="To recognise it later.">
            <input {...form.register('name')} />
          </Field>
          <Field name="type" label="Type">
            <select {...form.register('type')}>
              <option value="secret">Secret (full access, for servers)</option>
              <option value="public">Public (browser-safe, starts sessions only)</option>
            </select>
          </Field>
          {type === 'public' && (
            <>
              <Field name="allowed_assistant_ids" label="Assistants it may start" hint="Hold Ctrl/⌘ to pick several.">
                <select multiple size={4} {...form.register('allowed_assistant_ids')}>
                  {(assistants.data ?? []).map((assistant) => (
                    <option key={assistant.id} value={assistant.id}>{assistant.name}</option>
                  ))}
                </select>
              </Field>
              <Field name="allowed_origins" label="Allowed origins" hint="Space- or comma-separated, e.g. https://app.example.com, or * for any.">
                <input {...form.register('allowed_origins')} />
              </Field>
            </>
          )}
        </div>
        {formError && <p className="inline-error" role="alert">{formError}</p>}
        <div className="row">
          <button type="submit" className="button primary" disabled={form.formState.isSubmitting}>Create key</button>
        </div>
      </form>
    </FormProvider>
  );
}
