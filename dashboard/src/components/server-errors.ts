import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { ApiError, errorMessage, withoutParam } from '../api/api-error';

/**
 * Marks every field the API's problems name (the longest dotted prefix that is a form field; the first is focused)
 * and returns the line that sums them up above the form.
 */
export function markServerErrors<T extends FieldValues>(form: UseFormReturn<T>, problems: { param?: string; message: string }[]): string {
  const lines = problems.map((problem, index) => {
    const message = withoutParam(problem);
    const field = problem.param ? fieldForParam(problem.param, form.getValues()) : undefined;
    if (field) form.setError(field as Path<T>, { type: 'server', message }, { shouldFocus: index === 0 });
    return field ? `${field}: ${message}` : message;
  });
  return lines.length === 1 ? `Check ${lines[0]}` : `Check these ${lines.length} fields: ${lines.join('; ')}`;
}

/** The line above a form whose save failed: the API's problems marked on their fields, any other failure as its message. */
export function saveErrorLine<T extends FieldValues>(form: UseFormReturn<T>, error: unknown): string {
  return error instanceof ApiError ? markServerErrors(form, error.problems) : errorMessage(error);
}

/**
 * The form field an API error's `param` belongs to: the longest prefix of the dotted path that is a field in the form
 * (`tools.0.parameters.properties` → `tools.0.parameters`, `metadata.plan` → `metadata`, `end_call_phrases.3` → `end_call_phrases`).
 */
function fieldForParam(param: string, values: object): string | undefined {
  const known = new Set<string>();
  const walk = (value: unknown, path: string) => {
    if (path) known.add(path);
    if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key);
    }
  };
  walk(values, '');
  const parts = param.split('.');
  for (let length = parts.length; length > 0; length--) {
    const candidate = parts.slice(0, length).join('.');
    if (known.has(candidate)) return candidate;
  }
  return undefined;
}
