import { createAssistantBody, updateAssistantBody, type AssistantConfig } from '../../core/domain/assistant-config.ts';
import type { Transaction } from '../../core/db/database.ts';
import { InvalidFieldsError, PlatformError } from '../../core/errors.ts';
import { assistantConfigOf, type AssistantRow } from '../../core/repositories/assistants.ts';
import { parseAsync } from '../http/validation.ts';
import type { z } from 'zod';
import type { assistantUrlChecks } from './assistant-urls.ts';

type AssistantUrlChecks = ReturnType<typeof assistantUrlChecks>;

/**
 * An unsaved variant of an assistant (a test run's `assistant_patch`), checked exactly as `PATCH /v1/assistants/{id}`
 * would check it: the patch on its own, the merged result as a whole, and every URL it makes us call. Problems name
 * their field under `param` (`assistant_patch.model.temperature`).
 */
export async function checkAssistantPatch(
  trx: Transaction,
  input: { orgId: string; assistant: AssistantRow; patch: unknown; param: string; urlChecks: AssistantUrlChecks },
): Promise<AssistantConfig> {
  return underParam(input.param, async () => checkedAssistantUpdate(trx, { ...input, changes: await parseAsync(updateAssistantBody, input.patch) }));
}

/**
 * The assistant with parsed `changes` applied, as `PATCH /v1/assistants/{id}` saves it: the merged result checked as
 * a whole (cross-field rules such as endpointing min ≤ max span old and new values), and every URL it makes us call.
 */
export async function checkedAssistantUpdate(
  trx: Transaction,
  input: { orgId: string; assistant: AssistantRow; changes: z.output<typeof updateAssistantBody>; urlChecks: AssistantUrlChecks },
): Promise<AssistantConfig> {
  const merged = await parseAsync(createAssistantBody, { ...assistantConfigOf(input.assistant), ...input.changes });
  await input.urlChecks.assertPublicUrls(merged);
  await input.urlChecks.assertOwnProviderKeys(trx, input.orgId, merged);
  return merged;
}

async function underParam<T>(prefix: string, check: () => Promise<T>): Promise<T> {
  const nest = (param: string | undefined) => (param ? `${prefix}.${param}` : prefix);
  const renamed = (message: string, param: string | undefined) => (param && message.startsWith(`${param}:`) ? `${nest(param)}${message.slice(param.length)}` : message);
  try {
    return await check();
  } catch (error) {
    if (error instanceof InvalidFieldsError) {
      const [first, ...rest] = error.problems.map((problem) => ({ ...problem, message: renamed(problem.message, problem.param), param: nest(problem.param) }));
      throw new InvalidFieldsError([first!, ...rest]);
    }
    if (error instanceof PlatformError && error.type === 'invalid_request') {
      throw new PlatformError(error.type, error.code, renamed(error.message, error.param), nest(error.param), error.status);
    }
    throw error;
  }
}
