import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormProvider, useForm } from 'react-hook-form';
import { api, unwrap, type Schemas } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { formatDateTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { unplacedErrorLine } from '../../components/server-errors';
import { ErrorState, Loading } from '../../components/States';
import { useFormSave } from '../../components/use-form-save';

type Provider = Schemas['CredentialProvider'];
const PROVIDERS: { id: Provider; name: string; uses: string }[] = [
  { id: 'openai', name: 'OpenAI', uses: 'LLM, text-to-speech and speech-to-text' },
  { id: 'deepgram', name: 'Deepgram', uses: 'speech-to-text' },
  { id: 'elevenlabs', name: 'ElevenLabs', uses: 'text-to-speech' },
];

export function ProviderCredentialsPage() {
  const credentials = useQuery({ queryKey: ['provider-credentials'], queryFn: () => unwrap(api.GET('/v1/provider-credentials')) });
  return (
    <>
      <PageHeader
        title="Provider credentials"
        description="Your organization's keys for model, voice and transcription providers. Stored encrypted and never shown again: only the last four characters."
      />
      {credentials.isPending ? (
        <Loading />
      ) : credentials.isError ? (
        <ErrorState error={credentials.error} retry={() => void credentials.refetch()} />
      ) : (
        <div className="grid three">
          {PROVIDERS.map((provider) => (
            <ProviderCard key={provider.id} provider={provider} credential={credentials.data.data.find((row) => row.provider === provider.id)} />
          ))}
        </div>
      )}
    </>
  );
}

function ProviderCard({ provider, credential }: { provider: (typeof PROVIDERS)[number]; credential?: Schemas['ProviderCredential'] }) {
  const form = useForm<{ api_key: string; base_url: string }>({ values: { api_key: '', base_url: credential?.base_url ?? '' } });
  const queryClient = useQueryClient();
  const { formError, run } = useFormSave(form, unplacedErrorLine);
  const path = { params: { path: { provider: provider.id } } };
  const save = useMutation({
    mutationFn: (values: { api_key: string; base_url: string }) =>
      unwrap(api.PUT('/v1/provider-credentials/{provider}', { ...path, body: { api_key: values.api_key, base_url: values.base_url.trim() || null } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['provider-credentials'] }),
  });
  const submit = form.handleSubmit((values) => run(() => save.mutateAsync(values)));
  return (
    <FormProvider {...form}>
      <form className="card form-section" onSubmit={submit} noValidate aria-label={`${provider.name} credential`}>
        <h2>{provider.name}</h2>
        <p className="muted small">For {provider.uses}.</p>
        <p className="small" data-testid={`credential-${provider.id}`}>
          {credential ? <>Key ending in <code>{credential.api_key_last4}</code>, updated {formatDateTime(credential.updated_at)}</> : 'Not set: the server’s environment key is used, if any, and only with the provider’s own endpoint.'}
        </p>
        <Field name="api_key" label={credential ? 'Replace key' : 'API key'}>
          <input type="password" autoComplete="off" {...form.register('api_key', { required: 'Enter the key.' })} />
        </Field>
        <Field name="base_url" label="Base URL" hint="Optional: a compatible, regional or self-hosted endpoint.">
          <input type="url" {...form.register('base_url')} />
        </Field>
        {formError && <p className="inline-error" role="alert">{formError}</p>}
        <div className="row">
          <button type="submit" className="button primary small" disabled={form.formState.isSubmitting}>Save</button>
          {credential && (
            <ConfirmButton
              label="Remove"
              title={`Remove the ${provider.name} key?`}
              body={<p>Assistants using {provider.name} fall back to the server’s environment key, or fail to start; those with a base URL fail to start.</p>}
              confirmLabel="Remove key"
              onConfirm={async () => {
                await unwrap(api.DELETE('/v1/provider-credentials/{provider}', path));
                await queryClient.invalidateQueries({ queryKey: ['provider-credentials'] });
              }}
            />
          )}
        </div>
      </form>
    </FormProvider>
  );
}
