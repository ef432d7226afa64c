import { useFormContext } from 'react-hook-form';
import { Field } from '../../components/Field';
import { SUBSCRIBABLE_EVENTS } from './event-types';

export interface EndpointFormValues {
  url: string;
  description: string;
  event_types: string[];
}

/** URL, description and event types: shared by the create and edit forms. */
export function EndpointFields() {
  const { register, formState } = useFormContext<EndpointFormValues>();
  return (
    <>
      <div className="grid two">
        <Field name="url" label="URL" hint="Receives a signed POST per event (Standard Webhooks).">
          <input type="url" placeholder="https://example.com/webhooks/echosphere" {...register('url', { required: 'Enter the URL to deliver to.' })} />
        </Field>
        <Field name="description" label="Description" hint="Optional, for you.">
          <input {...register('description')} />
        </Field>
      </div>
      <fieldset className="checks" data-field="event_types">
        <legend>Events</legend>
        {SUBSCRIBABLE_EVENTS.map((event) => (
          <label key={event.type} className="checkbox">
            <input type="checkbox" value={event.type} {...register('event_types')} />
            <span>{event.label}</span>
          </label>
        ))}
        {formState.errors.event_types?.message && <p className="field-error" role="alert">{formState.errors.event_types.message}</p>}
      </fieldset>
    </>
  );
}
