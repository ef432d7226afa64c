import { z } from 'zod';
import { jsonSchemaObject } from '../domain/json-schema-bounds.ts';
import { compileTenantRegex } from '../tenant-regex/tenant-regex.ts';
import { compileOutputSchema, strictSchemaProblem } from './structured-output-schema.ts';

/**
 * An assistant's `analysis`: what is worked out from each of its sessions once it ends (see docs/evaluations.md) — a
 * summary, structured data extracted with the tenant's JSON Schema, and a scorecard of criteria judged by a model
 * (`llm`), computed from what the platform measured (`metric`) or matched in the transcript (`match`).
 */

const prompt = z.string().trim().min(1).max(4000);
const criterionName = z.string().trim().min(1).max(100);

const LLM_SCALES = ['pass_fail', '1-5', '0-10'] as const;
export type LlmScale = (typeof LLM_SCALES)[number];

const llmCriterion = z
  .strictObject({
    kind: z.literal('llm'),
    name: criterionName,
    /** What the judge answers about the conversation, e.g. "Did the assistant confirm the booking date?". */
    question: z.string().trim().min(1).max(2000),
    scale: z.enum(LLM_SCALES).default('pass_fail'),
    /** The lowest score that passes (1-5 and 0-10 scales); default 4 and 7. */
    pass_min: z.number().int().min(0).max(10).nullable().default(null),
  })
  .refine((criterion) => criterion.pass_min === null || criterion.scale !== 'pass_fail', { path: ['pass_min'], message: 'applies to the 1-5 and 0-10 scales only' })
  .refine((criterion) => criterion.pass_min === null || criterion.scale !== '1-5' || criterion.pass_min >= 1 && criterion.pass_min <= 5, {
    path: ['pass_min'],
    message: 'must be between 1 and 5 on the 1-5 scale',
  });

/** What the platform measured about a session, each with the type its threshold has. */
const METRICS = {
  latency_p50_ms: 'number',
  latency_p95_ms: 'number',
  interruptions: 'number',
  longest_silence_ms: 'number',
  duration_ms: 'number',
  user_turns: 'number',
  ended_reason: 'string',
  end_call_reached: 'boolean',
  tool_called: 'boolean',
} as const;
export type MetricName = keyof typeof METRICS;

const OPERATORS = ['lt', 'lte', 'gt', 'gte', 'eq', 'neq'] as const;
const ORDERING_OPERATORS = new Set(['lt', 'lte', 'gt', 'gte']);

const metricCriterion = z
  .strictObject({
    kind: z.literal('metric'),
    name: criterionName,
    metric: z.enum(Object.keys(METRICS) as [MetricName, ...MetricName[]]),
    operator: z.enum(OPERATORS),
    threshold: z.union([z.number(), z.string().max(200), z.boolean()]),
    /** For `tool_called`: the tool's name (`end_call` included); any tool when null. */
    tool: z.string().min(1).max(64).nullable().default(null),
  })
  .superRefine((criterion, ctx) => {
    const type = METRICS[criterion.metric];
    if (typeof criterion.threshold !== type) ctx.addIssue({ code: 'custom', path: ['threshold'], message: `must be a ${type} for ${criterion.metric}` });
    if (type !== 'number' && ORDERING_OPERATORS.has(criterion.operator)) {
      ctx.addIssue({ code: 'custom', path: ['operator'], message: `must be eq or neq for ${criterion.metric}` });
    }
    if (criterion.tool !== null && criterion.metric !== 'tool_called') ctx.addIssue({ code: 'custom', path: ['tool'], message: 'applies to tool_called only' });
  });

const matchCriterionFields = z.strictObject({
  kind: z.literal('match'),
  name: criterionName,
  /** Whose messages are searched. */
  role: z.enum(['assistant', 'user', 'any']).default('assistant'),
  /** `regex` and `contains` pass when some message matches, `not_contains` when none does. Case-insensitive. */
  mode: z.enum(['regex', 'contains', 'not_contains']),
  pattern: z.string().min(1).max(500),
});

const matchCriterion = matchCriterionFields.superRefine((criterion, ctx) => {
  if (criterion.mode !== 'regex') return;
  const compiled = compileTenantRegex(criterion.pattern);
  if (!compiled.ok) ctx.addIssue({ code: 'custom', path: ['pattern'], message: compiled.reason });
});

const criterionConfig = z.discriminatedUnion('kind', [llmCriterion, metricCriterion, matchCriterion]);

/**
 * A criterion whose `regex` pattern is left to the caller to compile: what holds many criteria (a test suite's
 * scenarios) compiles all their patterns within one budget (core/test-suites/suite-patterns.ts), so that none past it
 * is compiled at all.
 */
export const criterionWithUncompiledPattern = z.discriminatedUnion('kind', [llmCriterion, metricCriterion, matchCriterionFields]);

/** A structured-data schema must be one strict structured outputs accept, and compile (its patterns on RE2). */
const structuredDataSchema = jsonSchemaObject.superRefine((schema, ctx) => {
  const problem = strictSchemaProblem(schema);
  if (problem) return void ctx.addIssue({ code: 'custom', message: problem });
  const compiled = compileOutputSchema(schema);
  if (!compiled.ok) ctx.addIssue({ code: 'custom', message: compiled.reason });
});

const judgeConfig = z.strictObject({
  provider: z.literal('openai'),
  model: z.string().min(1).max(200).default('gpt-4o-mini'),
  base_url: z.url({ protocol: /^https?$/ }).max(2048).nullable().default(null),
  temperature: z.number().min(0).max(2).default(0),
});

export const analysisConfig = z.strictObject({
  summary: z
    .strictObject({ enabled: z.boolean().default(true), prompt: prompt.nullable().default(null) })
    .nullable()
    .default(null),
  structured_data: z.strictObject({ schema: structuredDataSchema, prompt: prompt.nullable().default(null) }).nullable().default(null),
  scorecard: z
    .strictObject({
      criteria: z
        .array(criterionConfig)
        .min(1)
        .max(50)
        .refine((criteria) => new Set(criteria.map((criterion) => criterion.name)).size === criteria.length, 'criterion names must be unique'),
      /** The overall score (0-1, the mean of the scored criteria) a session needs to pass; without it, every scored criterion must pass. */
      pass_threshold: z.number().min(0).max(1).nullable().default(null),
    })
    .nullable()
    .default(null),
  /** The model that writes summaries, extracts data and answers llm criteria; OpenAI's gpt-4o-mini when unset. */
  judge: judgeConfig.nullable().default(null),
});

export type AnalysisConfig = z.output<typeof analysisConfig>;
export type CriterionConfig = z.output<typeof criterionConfig>;
export type JudgeConfig = z.output<typeof judgeConfig>;
export type LlmCriterion = Extract<CriterionConfig, { kind: 'llm' }>;
export type MetricCriterion = Extract<CriterionConfig, { kind: 'metric' }>;
export type MatchCriterion = Extract<CriterionConfig, { kind: 'match' }>;

/** The judge an analysis uses (or an assistant without one): its own, else the default (OpenAI's gpt-4o-mini, with the organization's or the server's key). */
export function judgeOf(analysis: AnalysisConfig | null): JudgeConfig {
  return analysis?.judge ?? judgeConfig.parse({ provider: 'openai' });
}

/** Whether the analysis asks the judge for anything (else no model is ever called). */
export function needsJudge(analysis: AnalysisConfig): boolean {
  return Boolean(analysis.summary?.enabled || analysis.structured_data || analysis.scorecard?.criteria.some((criterion) => criterion.kind === 'llm'));
}

/** Whether there is anything to evaluate at all. */
export function hasAnalysis(analysis: AnalysisConfig | null | undefined): analysis is AnalysisConfig {
  return Boolean(analysis && (needsJudge(analysis) || analysis.scorecard));
}

/** The judge's base_url as a provider endpoint the organization chose (checked and keyed like a model's base_url). */
export function judgeProviderUrls(judge: JudgeConfig | null | undefined): Array<{ param: string; provider: 'openai'; url: string }> {
  const url = judge?.base_url;
  return url ? [{ param: 'analysis.judge.base_url', provider: 'openai', url }] : [];
}
