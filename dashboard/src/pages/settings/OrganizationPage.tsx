import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { ApiError, errorMessage } from '../../api/api-error';
import { api, unwrap } from '../../api/client';
import { Field } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/States';
import { useOrganization } from './use-organization';

interface OrganizationFormValues {
  name: string;
  settings: { max_concurrent_sessions: string; recording_retention_days: string };
}

export function OrganizationPage() {
  const organization = useOrganization();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const form = useForm<OrganizationFormValues>({
    values: organization.data && {
      name: organization.data.name,
      settings: {
        max_concurrent_sessions: String(organization.data.settings.max_concurrent_sessions),
        recording_retention_days: String(organization.data.settings.recording_retention_days),
      },
    },
  });
  const submit = form.handleSubmit(async (values) => {
    setNotice(null);
    try {
      const updated = await unwrap(
        api.PATCH('/v1/organization', {
          body: {
            name: values.name,
            settings: {
              max_concurrent_sessions: Number(values.settings.max_concurrent_sessions),
              recording_retention_days: Number(values.settings.recording_retention_days),
            },
          },
        }),
      );
      queryClient.setQueryData(['organization'], updated);
      setNotice('Saved.');
    } catch (caught) {
      if (caught instanceof ApiError && caught.param) form.setError(caught.param as 'name', { message: caught.fieldMessage });
      else setNotice(errorMessage(caught));
    }
  });

  if (organization.isPending) return <Loading />;
  if (organization.isError) return <ErrorState error={organization.error} retry={() => void organization.refetch()} />;
  return (
    <>
      <PageHeader title="Organization" description={<code>{organization.data.id}</code>} />
      {notice && <p className="callout" role="status">{notice}</p>}
      <FormProvider {...form}>
        <form className="card form-section narrow" onSubmit={submit} noValidate aria-label="Organization settings">
          <Field name="name" label="Name">
            <input {...form.register('name')} />
          </Field>
          <Field name="settings.max_concurrent_sessions" label="Maximum concurrent sessions" hint="Sessions waiting or connected at once; one more is refused with 409.">
            <input inputMode="numeric" {...form.register('settings.max_concurrent_sessions')} />
          </Field>
          <Field name="settings.recording_retention_days" label="Recording retention (days)" hint="Recordings are deleted this long after their session.">
            <input inputMode="numeric" {...form.register('settings.recording_retention_days')} />
          </Field>
          <div className="row">
            <button type="submit" className="button primary" disabled={!form.formState.isDirty || form.formState.isSubmitting}>Save</button>
          </div>
        </form>
      </FormProvider>
    </>
  );
}
