import type { AnalysisConfig, LlmCriterion, LlmScale } from '../../../core/evaluations/analysis-config.ts';
import type { TranscriptMessage } from '../evaluated-session.ts';

/**
 * What the judge is asked, and the JSON Schema each answer must follow (structured outputs, strict). Changing any of
 * it changes the scores a criterion gets, so results carry this version.
 */
export const JUDGE_PROMPT_VERSION = 'echosphere-judge-2026-12';

export type ChatMessage = { role: 'system' | 'user'; content: string };

const ROLE = 'You review recorded conversations between a voice assistant and a caller for the business that runs the assistant.';

/** The transcript as the judge reads it: one line per message, with the id a score's evidence cites. */
export function renderTranscript(messages: TranscriptMessage[]): string {
  return messages.map((message) => `[${message.id}] ${formatOffset(message.start_ms)} ${message.role}: ${message.text}`).join('\n');
}

function formatOffset(ms: number | null): string {
  if (ms === null) return '--:--';
  const seconds = Math.floor(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

function conversation(transcript: string): string {
  return `The conversation, one message per line as [message id] mm:ss role: text:\n\n${transcript}`;
}

export function summaryRequest(analysis: AnalysisConfig, transcript: string): { schema: Record<string, unknown>; messages: ChatMessage[] } {
  const instruction = analysis.summary?.prompt ?? 'Summarize the conversation in two to four sentences: who called, what they wanted, and how it ended.';
  return {
    schema: { type: 'object', additionalProperties: false, required: ['summary'], properties: { summary: { type: 'string' } } },
    messages: [
      { role: 'system', content: `${ROLE} ${instruction}` },
      { role: 'user', content: conversation(transcript) },
    ],
  };
}

export function structuredDataRequest(analysis: AnalysisConfig, transcript: string): { schema: Record<string, unknown>; messages: ChatMessage[] } {
  const structured = analysis.structured_data!;
  const instruction = structured.prompt ?? 'Extract the facts the schema asks for from the conversation. Use null for what was not said; never invent.';
  return {
    schema: structured.schema,
    messages: [
      { role: 'system', content: `${ROLE} ${instruction}` },
      { role: 'user', content: conversation(transcript) },
    ],
  };
}

const SCALE_SCHEMAS: Record<LlmScale, { schema: Record<string, unknown>; meaning: string }> = {
  pass_fail: { schema: { type: 'boolean' }, meaning: 'score is true when the answer to the question is yes, false when it is no' },
  '1-5': { schema: { type: 'integer', enum: [1, 2, 3, 4, 5] }, meaning: 'score is from 1 (worst) to 5 (best)' },
  '0-10': { schema: { type: 'integer', enum: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, meaning: 'score is from 0 (worst) to 10 (best)' },
};

/**
 * One llm criterion. The evidence ids are an enum of the transcript's own ids, so a strict judge can only cite
 * messages that exist; the rationale comes before the score so the model reasons before it decides.
 */
export function criterionRequest(criterion: LlmCriterion, transcript: string, messageIds: string[]): { schema: Record<string, unknown>; messages: ChatMessage[] } {
  const scale = SCALE_SCHEMAS[criterion.scale];
  return {
    schema: {
      type: 'object',
      additionalProperties: false,
      required: ['rationale', 'evidence_message_ids', 'score'],
      properties: {
        rationale: { type: 'string', description: 'Why, in one to three sentences, citing what was said.' },
        evidence_message_ids: { type: 'array', description: 'The ids of the messages the answer rests on.', items: { type: 'string', enum: messageIds } },
        score: scale.schema,
      },
    },
    messages: [
      {
        role: 'system',
        content: `${ROLE} Answer the question about the conversation. Give your rationale, the ids of the messages it rests on, then the score: ${scale.meaning}.`,
      },
      { role: 'user', content: `Question: ${criterion.question}\n\n${conversation(transcript)}` },
    ],
  };
}
