import { createAssistantBody, updateAssistantBody } from '../domain/assistant-config.ts';
import type { AnalysisConfig, CriterionConfig } from '../evaluations/analysis-config.ts';
import { toPublicAssistant, type PublicAssistant } from '../../contract/assistant.ts';
import { assistantConfigOf, type AssistantRow } from '../repositories/assistants.ts';

/**
 * The assistant a test run plays its scenarios against: the saved one, with the run's patch applied in memory and
 * checked as `PATCH /v1/assistants/{id}` checks it (the api checked it when the run was requested; the assistant may
 * have changed since). Throws zod's error when the patch no longer applies.
 */
export async function patchedAssistant(row: AssistantRow, patch: Record<string, unknown> | null): Promise<PublicAssistant> {
  if (!patch) return toPublicAssistant(row);
  const changes = await updateAssistantBody.parseAsync(patch);
  const merged = await createAssistantBody.parseAsync({ ...assistantConfigOf(row), ...changes });
  return { ...toPublicAssistant(row), ...merged };
}

/**
 * The snapshot a scenario's session runs with: the assistant, whose analysis becomes the scenario's scorecard (judged
 * by the assistant's own judge), so the evaluation pipeline scores the session on the scenario's criteria and nothing else.
 */
export function scenarioSnapshot(assistant: PublicAssistant, criteria: CriterionConfig[]): PublicAssistant {
  const analysis: AnalysisConfig | null =
    criteria.length === 0
      ? null
      : { summary: null, structured_data: null, scorecard: { criteria, pass_threshold: null }, judge: assistant.analysis?.judge ?? null };
  return { ...assistant, analysis };
}
