import type { Schemas } from '../../api/client';

type AssistantRequest = Schemas['CreateAssistantRequest'];

/**
 * The builder's unsaved changes as a partial assistant: the top-level fields whose request differs from the saved
 * assistant's (both made by the same form conversion, so an untouched field compares equal).
 */
export function assistantPatch(saved: AssistantRequest, edited: AssistantRequest): Schemas['UpdateAssistantRequest'] {
  return Object.fromEntries(
    Object.entries(edited).filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(saved[field as keyof AssistantRequest])),
  ) as Schemas['UpdateAssistantRequest'];
}
