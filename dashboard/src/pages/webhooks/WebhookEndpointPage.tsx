import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { useNavigate, useParams } from 'react-router';
import { ApiError, errorMessage } from '../../api/api-error';
import { api, unwrap, type Schemas } from '../../api/client';
import { Card } from '../../components/Card';
import { ConfirmButton } from '../../components/ConfirmButton';
import { formatDateTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { SecretReveal } from '../../components/SecretReveal';
import { ErrorState, InlineError, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { DeliveryLog } from './DeliveryLog';
import { EndpointFields, type EndpointFormValues } from './EndpointFields';

export function WebhookEndpointPage() {
  const { id } = useParams() as { id: string };
  const endpoint = useQuery({
    queryKey: ['webhook-endpoint', id],
    queryFn: () => unwrap(api.GET('/v1/webhook-endpoints/{id}', { params: { path: { id } } })),
  });
  if (endpoint.isPending) return <Loading />;
  if (endpoint.isError) return <ErrorState error={endpoint.error} retry={() => void endpoint.refetch()} />;
  return <Endpoint endpoint={endpoint.data} />;
}

function Endpoint({ endpoint }: { endpoint: Schemas['WebhookEndpoint'] }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const path = { params: { path: { id: endpoint.id } } };
  const refresh = (updated: Schemas['WebhookEndpoint']) => {
    queryClient.setQueryData(['webhook-endpoint', endpoint.id], updated);
    void queryClient.invalidateQueries({ queryKey: ['webhook-endpoints'] });
  };

  const update = useMutation({
    mutationFn: (body: Schemas['UpdateWebhookEndpointRequest']) => unwrap(api.PATCH('/v1/webhook-endpoints/{id}', { ...path, body })),
    onSuccess: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/webhook-endpoints/{id}/rotate-secret', { ...path, body: {} })),
    onSuccess: (rotated) => {
      refresh(rotated);
      setSecret(rotated.secret ?? null);
    },
  });
  const sendTest = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/webhook-endpoints/{id}/test', path)),
    onSuccess: () => {
      setNotice('Test event sent. Its delivery appears below.');
      void queryClient.invalidateQueries({ queryKey: ['deliveries', endpoint.id] });
    },
  });

  const form = useForm<EndpointFormValues>({ values: { url: endpoint.url, description: endpoint.description, event_types: endpoint.event_types } });
  const submit = form.handleSubmit(async (values) => {
    try {
      await update.mutateAsync({ url: values.url.trim(), description: values.description, event_types: values.event_types as Schemas['EventTypeSelector'][] });
      setNotice('Saved.');
    } catch (caught) {
      if (caught instanceof ApiError && caught.param) form.setError(caught.param.split('.')[0] as keyof EndpointFormValues, { message: caught.fieldMessage });
      else setNotice(errorMessage(caught));
    }
  });

  return (
    <>
      <PageHeader
        title={endpoint.url}
        description={<><code>{endpoint.id}</code> · created {formatDateTime(endpoint.created_at)}</>}
        actions={
          <>
            <StatusBadge status={endpoint.enabled ? 'enabled' : 'disabled'} />
            <button type="button" className="button" disabled={sendTest.isPending} onClick={() => sendTest.mutate()}>Send test event</button>
          </>
        }
      />
      {notice && <p className="callout" role="status">{notice}</p>}
      {secret && <SecretReveal label="New signing secret" secret={secret} onDismiss={() => setSecret(null)} />}
      <InlineError error={sendTest.error ?? rotate.error ?? null} />
      {!endpoint.enabled && endpoint.disabled_reason && (
        <p className="callout warning">Disabled{endpoint.disabled_reason === 'manual' ? ' by you' : endpoint.disabled_reason === 'gone' ? ': the receiver answered 410 Gone' : ': deliveries kept failing'} on {formatDateTime(endpoint.disabled_at)}.</p>
      )}

      <FormProvider {...form}>
        <form className="card form-section" onSubmit={submit} noValidate aria-label="Edit endpoint">
          <h2>Settings</h2>
          <EndpointFields />
          <div className="row">
            <button type="submit" className="button primary" disabled={!form.formState.isDirty || form.formState.isSubmitting}>Save changes</button>
            <button type="button" className="button" disabled={update.isPending} onClick={() => update.mutate({ enabled: !endpoint.enabled })}>
              {endpoint.enabled ? 'Disable' : 'Enable'}
            </button>
            <ConfirmButton
              className="button"
              label="Rotate secret"
              title="Rotate the signing secret?"
              body={<p>A new secret is generated. Deliveries are signed with both the old and the new one for 24 hours, so you can update your receiver.</p>}
              confirmLabel="Rotate"
              onConfirm={() => rotate.mutateAsync()}
            />
            <span className="spacer" />
            <ConfirmButton
              label="Delete endpoint"
              title="Delete this endpoint?"
              body={<p>No more events will be delivered to {endpoint.url}.</p>}
              confirmLabel="Delete"
              onConfirm={async () => {
                await unwrap(api.DELETE('/v1/webhook-endpoints/{id}', path));
                await queryClient.invalidateQueries({ queryKey: ['webhook-endpoints'] });
                void navigate('/webhooks');
              }}
            />
          </div>
        </form>
      </FormProvider>

      <Card title="Deliveries">
        <DeliveryLog endpointId={endpoint.id} />
      </Card>
    </>
  );
}
