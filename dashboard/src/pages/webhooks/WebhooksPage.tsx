import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { CreateFormFooter } from '../../components/CreateFormFooter';
import { PageHeader } from '../../components/PageHeader';
import { SecretReveal } from '../../components/SecretReveal';
import { unplacedErrorLine } from '../../components/server-errors';
import { Empty, ErrorState, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { useFormSave } from '../../components/use-form-save';
import { EndpointFields, type EndpointFormValues } from './EndpointFields';

export function WebhooksPage() {
  const endpoints = useQuery({ queryKey: ['webhook-endpoints'], queryFn: () => unwrap(api.GET('/v1/webhook-endpoints', { params: { query: { limit: 100 } } })) });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Schemas['WebhookEndpoint'] | null>(null);

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Endpoints that receive signed events: sessions, transcripts, recordings."
        actions={!creating && <button type="button" className="button primary" onClick={() => setCreating(true)}>Add endpoint</button>}
      />
      {created?.secret && (
        <SecretReveal label={`Signing secret for ${created.url}`} secret={created.secret} onDismiss={() => setCreated(null)} />
      )}
      {creating && (
        <CreateEndpoint
          onCancel={() => setCreating(false)}
          onCreated={(endpoint) => {
            setCreated(endpoint);
            setCreating(false);
          }}
        />
      )}
      {endpoints.isPending ? (
        <Loading />
      ) : endpoints.isError ? (
        <ErrorState error={endpoints.error} retry={() => void endpoints.refetch()} />
      ) : endpoints.data.data.length === 0 ? (
        <Empty title="No webhook endpoints yet.">Add one to receive session and recording events.</Empty>
      ) : (
        <ul className="card-list" aria-label="Webhook endpoints">
          {endpoints.data.data.map((endpoint) => (
            <li key={endpoint.id} className="card list-item">
              <div className="list-main">
                <Link to={`/webhooks/${endpoint.id}`} className="list-title">{endpoint.url}</Link>
                <span className="muted small">{endpoint.description || 'No description'} · {endpoint.event_types.join(', ')}</span>
              </div>
              <StatusBadge status={endpoint.enabled ? 'enabled' : 'disabled'} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function CreateEndpoint({ onCancel, onCreated }: { onCancel: () => void; onCreated: (endpoint: Schemas['WebhookEndpoint']) => void }) {
  const form = useForm<EndpointFormValues>({ defaultValues: { url: '', description: '', event_types: ['*'] } });
  const queryClient = useQueryClient();
  const { formError, run } = useFormSave(form, unplacedErrorLine);
  const create = useMutation({
    mutationFn: (values: EndpointFormValues) =>
      unwrap(api.POST('/v1/webhook-endpoints', { body: { url: values.url.trim(), description: values.description, event_types: values.event_types as Schemas['EventTypeSelector'][] } })),
    onSuccess: (endpoint) => {
      void queryClient.invalidateQueries({ queryKey: ['webhook-endpoints'] });
      onCreated(endpoint);
    },
  });
  const submit = form.handleSubmit((values) => run(() => create.mutateAsync(values)));
  return (
    <FormProvider {...form}>
      <form className="card form-section" onSubmit={submit} noValidate aria-label="New webhook endpoint">
        <h2>New endpoint</h2>
        <EndpointFields />
        <CreateFormFooter error={formError} submitLabel="Create endpoint" onCancel={onCancel} />
      </form>
    </FormProvider>
  );
}
