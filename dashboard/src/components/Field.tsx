import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';
import { get, useFormContext } from 'react-hook-form';

/**
 * A labelled form control that shows its own error: from the form's validation or from the API (set with `setError`
 * under the same dotted name). The label, hint and error are wired to the control for screen readers.
 */
export function Field({ name, label, hint, children, className }: { name: string; label: ReactNode; hint?: ReactNode; children: ReactElement<Record<string, unknown>>; className?: string }) {
  const { formState } = useFormContext();
  const error = get(formState.errors, name) as { message?: string } | undefined;
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const control = isValidElement(children)
    ? cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })
    : children;
  return (
    <div className={`field ${className ?? ''}`} data-field={name}>
      <label htmlFor={id}>{label}</label>
      {control}
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      {error?.message && <p className="field-error" id={`${id}-error`} role="alert">{error.message}</p>}
    </div>
  );
}

/** A checkbox with its label beside it (and the same error display). */
export function CheckboxField({ name, label, hint }: { name: string; label: ReactNode; hint?: ReactNode }) {
  const { register, formState } = useFormContext();
  const error = get(formState.errors, name) as { message?: string } | undefined;
  const id = useId();
  return (
    <div className="field checkbox-field" data-field={name}>
      <label htmlFor={id} className="checkbox">
        <input id={id} type="checkbox" aria-describedby={hint ? `${id}-hint` : undefined} {...register(name)} />
        <span>{label}</span>
      </label>
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      {error?.message && <p className="field-error" role="alert">{error.message}</p>}
    </div>
  );
}
