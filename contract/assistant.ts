import type { AssistantRow } from '../core/repositories/assistants.ts';

/** The public assistant object; sessions embed the same shape as their snapshot. */
export function toPublicAssistant(row: AssistantRow) {
  return {
    id: row.id,
    object: 'assistant' as const,
    // The configuration as `assistantConfigOf` reads it, spelled out: contract loads no core module that imports others.
    name: row.name,
    ...row.config,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export type PublicAssistant = ReturnType<typeof toPublicAssistant>;
