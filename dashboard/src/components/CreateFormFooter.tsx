import { useFormContext } from 'react-hook-form';

/**
 * The end of a form that adds something: the error line from its last save, then the create button (held while the
 * save runs, so a double click cannot create twice) and a way to close the form.
 */
export function CreateFormFooter({ error, submitLabel, onCancel }: { error: string | null; submitLabel: string; onCancel: () => void }) {
  const { formState } = useFormContext();
  return (
    <>
      {error && <p className="inline-error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="button primary" disabled={formState.isSubmitting}>{submitLabel}</button>
        <button type="button" className="button ghost" onClick={onCancel}>Cancel</button>
      </div>
    </>
  );
}
