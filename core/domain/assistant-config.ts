import { z } from 'zod';
import { compileScriptPatterns } from '../tenant-regex/script-patterns.ts';
import { isEspeakVoice } from '../voices/espeak-voices.ts';
import { TimeSlice } from '../time-slice.ts';
import { analysisConfig } from '../evaluations/analysis-config.ts';
import { jsonSchemaObject } from './json-schema-bounds.ts';

/**
 * The configuration of an assistant, validated field by field. The same schema is the session snapshot the agent
 * runtime reads, so a default chosen here is the behaviour a session gets.
 */

const baseUrl = z.url({ protocol: /^https?$/ }).max(2048).nullable().default(null);
const metadata = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 50, 'may hold at most 50 keys');

const scriptRule = z.strictObject({
  /** Checked with the script's other patterns (`scriptRules`): they share one budget on the regex engine. */
  pattern: z.string().min(1).max(500),
  reply: z.string().min(1).max(2000),
});

/**
 * Every pattern must run on the linear-time engine the runtime matches with; the issue names the rule and why not.
 * Compiling a large script takes a while, so the check pauses for other requests as it goes (parse it asynchronously).
 */
const scriptRules = z
  .array(scriptRule)
  .max(200)
  .superRefine(async (rules, ctx) => {
    const slice = new TimeSlice();
    let index = 0;
    for (const result of compileScriptPatterns(rules.map((rule) => rule.pattern))) {
      if (!result.ok) ctx.addIssue({ code: 'custom', path: [index, 'pattern'], message: result.reason });
      index++;
      await slice.pause();
    }
  });

/** What a scripted assistant says when no rule matches, unless its script says otherwise. */
const DEFAULT_SCRIPTED_REPLY = "I'm a scripted assistant.";

export const modelConfig = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('openai'),
    model: z.string().min(1).max(200).default('gpt-4o-mini'),
    temperature: z.number().min(0).max(2).default(0.7),
    max_tokens: z.number().int().min(1).max(16_384).nullable().default(null),
    base_url: baseUrl,
  }),
  z.strictObject({
    provider: z.literal('scripted'),
    script: z
      .strictObject({
        rules: scriptRules.default([]),
        default_reply: z.string().min(1).max(2000).default(DEFAULT_SCRIPTED_REPLY),
      })
      .default({ rules: [], default_reply: DEFAULT_SCRIPTED_REPLY }),
  }),
]);

export const voiceConfig = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('elevenlabs'),
    voice_id: z.string().min(1).max(200),
    model: z.string().min(1).max(200).default('eleven_turbo_v2_5'),
    settings: z
      .strictObject({
        stability: z.number().min(0).max(1).optional(),
        similarity_boost: z.number().min(0).max(1).optional(),
        style: z.number().min(0).max(1).optional(),
        speed: z.number().min(0.7).max(1.2).optional(),
      })
      .nullable()
      .default(null),
    base_url: baseUrl,
  }),
  z.strictObject({
    provider: z.literal('openai'),
    voice_id: z.string().min(1).max(200).default('alloy'),
    model: z.string().min(1).max(200).default('gpt-4o-mini-tts'),
    speed: z.number().min(0.25).max(4).default(1),
    base_url: baseUrl,
  }),
  z.strictObject({
    provider: z.literal('local'),
    voice_id: z
      .string()
      .refine(isEspeakVoice, 'is not an eSpeak voice (GET /v1/voices?provider=local lists them)')
      .default('en-us'),
    speed_wpm: z.number().int().min(80).max(450).default(175),
  }),
]);

export const transcriberConfig = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('deepgram'),
    model: z.string().min(1).max(200).default('nova-3'),
    language: z.string().min(2).max(35).default('en-US'),
    base_url: baseUrl,
  }),
  z.strictObject({
    provider: z.literal('openai'),
    model: z.string().min(1).max(200).default('gpt-4o-transcribe'),
    language: z.string().min(2).max(35).nullable().default(null),
    base_url: baseUrl,
  }),
  z.strictObject({ provider: z.literal('none') }),
]);

export const turnConfig = z
  .strictObject({
    interruptions_enabled: z.boolean().default(true),
    interruption_min_duration_ms: z.number().int().min(0).max(5000).default(500),
    interruption_min_words: z.number().int().min(0).max(10).default(0),
    endpointing_min_delay_ms: z.number().int().min(0).max(10_000).default(500),
    endpointing_max_delay_ms: z.number().int().min(0).max(30_000).default(6000),
    vad: z.enum(['default', 'silero']).default('default'),
  })
  .refine((turn) => turn.endpointing_max_delay_ms >= turn.endpointing_min_delay_ms, {
    path: ['endpointing_max_delay_ms'],
    message: 'must be at least endpointing_min_delay_ms',
  });

export const toolConfig = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('function'),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
    description: z.string().min(1).max(1000),
    parameters: jsonSchemaObject.default({ type: 'object', properties: {} }),
    server: z.strictObject({
      url: z.url({ protocol: /^https?$/ }).max(2048),
      timeout_ms: z.number().int().min(100).max(30_000).default(5000),
    }),
  }),
  z.strictObject({
    type: z.literal('end_call'),
    description: z.string().min(1).max(1000).optional(),
  }),
]);

const defaultTurn = () => turnConfig.parse({});

/** Top-level fields an assistant has; PATCH replaces any of them whole. */
const assistantFields = {
  name: z.string().trim().min(1).max(200),
  /** The model's instructions; the scripted model follows its rules instead, so it may do without (see below). */
  system_prompt: z.string().max(50_000).default(''),
  first_message: z.string().max(2000).nullable().default(null),
  first_message_interruptible: z.boolean().default(true),
  model: modelConfig,
  voice: voiceConfig,
  transcriber: transcriberConfig,
  turn: turnConfig.default(defaultTurn),
  tools: z
    .array(toolConfig)
    .max(32)
    .default([])
    .refine((tools) => new Set(tools.map((tool) => (tool.type === 'function' ? tool.name : 'end_call'))).size === tools.length, 'tool names must be unique'),
  end_call_phrases: z.array(z.string().trim().min(1).max(200)).max(20).default([]),
  end_call_message: z.string().max(2000).nullable().default(null),
  silence_timeout_s: z.number().int().min(5).max(3600).nullable().default(null),
  max_duration_s: z.number().int().min(10).max(14_400).default(1800),
  recording_enabled: z.boolean().default(true),
  server_url: z.url({ protocol: /^https?$/ }).max(2048).nullable().default(null),
  metadata: metadata.default({}),
  analysis: analysisConfig.nullable().default(null),
};

export const createAssistantBody = z
  .strictObject({
    ...assistantFields,
    model: modelConfig.default({ provider: 'scripted', script: { rules: [], default_reply: DEFAULT_SCRIPTED_REPLY } }),
    voice: voiceConfig.default({ provider: 'local', voice_id: 'en-us', speed_wpm: 175 }),
    transcriber: transcriberConfig.default({ provider: 'none' }),
  })
  .superRefine((config, ctx) => {
    if (config.model.provider !== 'scripted' && config.system_prompt.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['system_prompt'], message: `is required with the ${config.model.provider} model: it is the assistant's instructions` });
    }
  });

/** PATCH: every top-level field optional and without defaults (an absent field stays as it is). */
export const updateAssistantBody = z.strictObject(
  Object.fromEntries(
    Object.entries(assistantFields).map(([key, schema]) => [key, (schema instanceof z.ZodDefault ? schema.unwrap() : schema).optional()]),
  ),
) as unknown as z.ZodType<Partial<z.output<typeof createAssistantBody>>, Partial<z.input<typeof createAssistantBody>>>;

export type AssistantConfig = z.output<typeof createAssistantBody>;
