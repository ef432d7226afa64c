import { useState } from 'react';
import type { FieldValues, UseFormReturn } from 'react-hook-form';

/**
 * A form's save and the error line it shows: `run(action)` clears the line, runs the action and, when it fails, shows
 * what `describe` makes of the error (marking the API's problems on their fields as it goes).
 */
export function useFormSave<T extends FieldValues>(form: UseFormReturn<T>, describe: (form: UseFormReturn<T>, error: unknown) => string | null) {
  const [formError, setFormError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setFormError(null);
    try {
      await action();
    } catch (error) {
      setFormError(describe(form, error));
    }
  };
  return { formError, run };
}
