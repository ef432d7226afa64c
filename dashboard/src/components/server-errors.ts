import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { ApiError, errorMessage, withoutParam } from '../api/api-error';

/**
 * Marks every field the API's problems name (the longest dotted prefix that is a form field; the first is focused)
 * and returns the line that sums them up above the form.
 */
export function markServerErrors<T extends FieldValues>(form: UseFormReturn<T>, problems: { param?: string; message: string }[]): string {
  const lines = problems.map((problem, index) => {
    const field = markField(form, problem, index === 0);
    return field ? `${field}: ${withoutParam(problem)}` : problem.message;
  });
  return lines.length === 1 ? `Check ${lines[0]}` : `Check these ${lines.length} fields: ${lines.join('; ')}`;
}

/**
 * The line over a long form whose save failed (the builder, a suite): the API's problems marked on their fields and
 * summed up, since the fields may be scrolled out of sight; any other failure as its message.
 */
export function saveErrorLine<T extends FieldValues>(form: UseFormReturn<T>, error: unknown): string {
  return error instanceof ApiError ? markServerErrors(form, error.problems) : errorMessage(error);
}

/**
 * The line under a short form whose save failed: the API's problems marked on their fields, and a line only for what
 * no field shows (a problem about no field, any other failure).
 */
export function unplacedErrorLine<T extends FieldValues>(form: UseFormReturn<T>, error: unknown): string | null {
  if (!(error instanceof ApiError)) return errorMessage(error);
  const unplaced = error.problems.filter((problem, index) => !markField(form, problem, index === 0));
  return unplaced.length ? unplaced.map((problem) => problem.message).join('; ') : null;
}

/** Marks the form field `problem` names, if it names one, and returns that field. */
function markField<T extends FieldValues>(form: UseFormReturn<T>, problem: { param?: string; message: string }, focus: boolean): string | undefined {
  const field = problem.param ? fieldForParam(problem.param, form.getValues()) : undefined;
  if (field) form.setError(field as Path<T>, { type: 'server', message: withoutParam(problem) }, { shouldFocus: focus });
  return field;
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
