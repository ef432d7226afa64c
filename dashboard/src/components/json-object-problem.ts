/**
 * Caught while typing, before the API sees it: a JSON editor's text must be a JSON object, and with `needsType`
 * an object schema (`"type": "object"`). `true` when it is, the problem otherwise (react-hook-form's `validate`).
 */
export function jsonObjectProblem(text: string, needsType = false): true | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `is not valid JSON (${(error as Error).message})`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'must be a JSON object';
  return !needsType || (parsed as { type?: unknown }).type === 'object' || 'must have "type": "object"';
}
