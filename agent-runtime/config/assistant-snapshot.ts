import { z } from 'zod';

/**
 * The assistant configuration a session runs with, as snapshotted into `sessions.assistant` when the session was
 * created. The REST API validates it strictly on write; here we only fill defaults and reject what would make the
 * runtime misbehave, so an older snapshot keeps working after the API grows new fields.
 */
const scriptRule = z.object({
  /** A regular expression (case-insensitive) or a list of keywords of which any one must appear as a word. */
  pattern: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  reply: z.string(),
});

const modelSchema = z.object({
  provider: z.enum(['openai', 'scripted']),
  model: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().nullish(),
  base_url: z.string().url().nullish(),
  script: z
    .object({ rules: z.array(scriptRule).default([]), default_reply: z.string().optional(), default: z.string().optional() })
    .optional(),
});

const voiceSchema = z.object({
  provider: z.enum(['elevenlabs', 'openai', 'local']),
  voice_id: z.string().optional(),
  model: z.string().optional(),
  settings: z.record(z.string(), z.unknown()).nullish(),
  /** openai: playback speed multiplier. */
  speed: z.number().positive().optional(),
  /** local (eSpeak): words per minute. */
  speed_wpm: z.number().int().positive().optional(),
  base_url: z.string().url().nullish(),
});

const transcriberSchema = z.object({
  provider: z.enum(['deepgram', 'openai', 'none']),
  model: z.string().optional(),
  language: z.string().nullish(),
  base_url: z.string().url().nullish(),
});

const turnSchema = z.object({
  interruptions_enabled: z.boolean().default(true),
  interruption_min_duration_ms: z.number().int().min(0).default(500),
  interruption_min_words: z.number().int().min(0).default(0),
  endpointing_min_delay_ms: z.number().int().min(0).default(500),
  endpointing_max_delay_ms: z.number().int().min(0).default(3000),
  vad: z.enum(['default', 'silero']).default('default'),
});

const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string().default(''),
  parameters: z.record(z.string(), z.unknown()).default({ type: 'object', properties: {} }),
  server: z.object({ url: z.string().url(), timeout_ms: z.number().int().positive().max(120_000).default(10_000) }),
});

const endCallTool = z.object({
  type: z.literal('end_call'),
  description: z.string().optional(),
});

const assistantSnapshotSchema = z.object({
  name: z.string().default(''),
  system_prompt: z.string().default(''),
  first_message: z.string().optional().nullable(),
  first_message_interruptible: z.boolean().default(true),
  model: modelSchema.default({ provider: 'scripted' }),
  voice: voiceSchema.default({ provider: 'local' }),
  transcriber: transcriberSchema.default({ provider: 'none' }),
  turn: turnSchema.default(turnSchema.parse({})),
  tools: z.array(z.discriminatedUnion('type', [functionTool, endCallTool])).default([]),
  end_call_phrases: z.array(z.string().min(1)).default([]),
  end_call_message: z.string().optional().nullable(),
  silence_timeout_s: z.number().positive().optional().nullable(),
  max_duration_s: z.number().positive().optional().nullable(),
  recording_enabled: z.boolean().default(true),
});

export type AssistantSnapshot = z.infer<typeof assistantSnapshotSchema>;
export type FunctionToolConfig = z.infer<typeof functionTool>;
export type ScriptRule = z.infer<typeof scriptRule>;

export function parseAssistantSnapshot(raw: unknown): AssistantSnapshot {
  return assistantSnapshotSchema.parse(raw ?? {});
}
