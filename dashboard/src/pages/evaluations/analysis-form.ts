import type { Schemas } from '../../api/client';
import { FormFieldError, numberOr, orNull } from '../assistants/assistant-form';

type Analysis = Schemas['AnalysisConfig'];
type AnalysisRequest = Schemas['AnalysisConfigInput'];
export type MetricName = Schemas['MetricName'];

/**
 * The builder's Analysis section as form values, shaped like the API's `analysis` so an error's `param` names its
 * input: an empty schema means no structured data, no criteria no scorecard, an empty judge model the default judge.
 */
export interface AnalysisFormValues {
  summary: { enabled: boolean; prompt: string };
  structured_data: { schema: string; prompt: string };
  scorecard: { criteria: CriterionFormValues[]; pass_threshold: string };
  judge: { model: string; base_url: string; temperature: string };
}

export interface CriterionFormValues {
  kind: 'llm' | 'metric' | 'match';
  name: string;
  question: string;
  scale: Schemas['LlmScale'];
  pass_min: string;
  metric: MetricName;
  operator: Schemas['MetricOperator'];
  threshold: string;
  tool: string;
  role: 'assistant' | 'user' | 'any';
  mode: 'regex' | 'contains' | 'not_contains';
  pattern: string;
}

/** What each metric measures, and the type of its threshold. */
export const METRICS: Record<MetricName, { label: string; type: 'number' | 'string' | 'boolean' }> = {
  latency_p50_ms: { label: 'Median reply latency (ms)', type: 'number' },
  latency_p95_ms: { label: 'p95 reply latency (ms)', type: 'number' },
  interruptions: { label: 'Interrupted assistant messages', type: 'number' },
  longest_silence_ms: { label: 'Longest silence (ms)', type: 'number' },
  duration_ms: { label: 'Duration (ms)', type: 'number' },
  user_turns: { label: 'Caller turns', type: 'number' },
  ended_reason: { label: 'Ended reason', type: 'string' },
  end_call_reached: { label: 'The assistant ended the call', type: 'boolean' },
  tool_called: { label: 'A tool was called', type: 'boolean' },
};

export function newCriterion(kind: CriterionFormValues['kind']): CriterionFormValues {
  return {
    kind,
    name: '',
    question: '',
    scale: 'pass_fail',
    pass_min: '',
    metric: 'latency_p95_ms',
    operator: 'lt',
    threshold: kind === 'metric' ? '1500' : '',
    tool: '',
    role: 'assistant',
    mode: 'contains',
    pattern: '',
  };
}

export function emptyAnalysisForm(): AnalysisFormValues {
  return {
    summary: { enabled: false, prompt: '' },
    structured_data: { schema: '', prompt: '' },
    scorecard: { criteria: [], pass_threshold: '' },
    judge: { model: '', base_url: '', temperature: '' },
  };
}

const text = (value: number | string | boolean | null | undefined) => (value == null ? '' : String(value));

/** One saved criterion as the rows of the criteria editor. */
export function toCriterionForm(criterion: Schemas['Criterion']): CriterionFormValues {
  const row = newCriterion(criterion.kind);
  if (criterion.kind === 'llm') return { ...row, name: criterion.name, question: criterion.question, scale: criterion.scale, pass_min: text(criterion.pass_min) };
  if (criterion.kind === 'metric') return { ...row, name: criterion.name, metric: criterion.metric, operator: criterion.operator, threshold: text(criterion.threshold), tool: text(criterion.tool) };
  return { ...row, name: criterion.name, role: criterion.role, mode: criterion.mode, pattern: criterion.pattern };
}

export function toAnalysisForm(analysis: Analysis | null): AnalysisFormValues {
  const form = emptyAnalysisForm();
  if (!analysis) return form;
  if (analysis.summary) form.summary = { enabled: analysis.summary.enabled, prompt: text(analysis.summary.prompt) };
  if (analysis.structured_data) form.structured_data = { schema: JSON.stringify(analysis.structured_data.schema, null, 2), prompt: text(analysis.structured_data.prompt) };
  if (analysis.scorecard) {
    form.scorecard = {
      pass_threshold: text(analysis.scorecard.pass_threshold),
      criteria: analysis.scorecard.criteria.map(toCriterionForm),
    };
  }
  if (analysis.judge) form.judge = { model: analysis.judge.model, base_url: text(analysis.judge.base_url), temperature: text(analysis.judge.temperature) };
  return form;
}

function thresholdOf(row: CriterionFormValues): number | string | boolean {
  const type = METRICS[row.metric].type;
  if (type === 'boolean') return row.threshold === 'true';
  if (type === 'string') return row.threshold.trim();
  return numberOr(row.threshold, '');
}

export function criterionRequest(row: CriterionFormValues): Schemas['CriterionInput'] {
  const name = row.name.trim();
  if (row.kind === 'llm') return { kind: 'llm', name, question: row.question, scale: row.scale, pass_min: numberOr(row.pass_min, null) };
  if (row.kind === 'metric') return { kind: 'metric', name, metric: row.metric, operator: row.operator, threshold: thresholdOf(row), tool: row.metric === 'tool_called' ? orNull(row.tool) : null };
  return { kind: 'match', name, role: row.role, mode: row.mode, pattern: row.pattern };
}

export function toAnalysisRequest(form: AnalysisFormValues): AnalysisRequest | null {
  let schema: Schemas['JsonSchemaObject'] | undefined;
  if (form.structured_data.schema.trim() !== '') {
    try {
      schema = JSON.parse(form.structured_data.schema) as Schemas['JsonSchemaObject'];
    } catch (error) {
      throw new FormFieldError('analysis.structured_data.schema', `is not valid JSON (${(error as Error).message})`);
    }
  }
  const analysis: AnalysisRequest = {
    summary: form.summary.enabled ? { enabled: true, prompt: orNull(form.summary.prompt) } : null,
    structured_data: schema ? { schema, prompt: orNull(form.structured_data.prompt) } : null,
    scorecard: form.scorecard.criteria.length > 0 ? { criteria: form.scorecard.criteria.map(criterionRequest), pass_threshold: numberOr(form.scorecard.pass_threshold, null) } : null,
    judge:
      form.judge.model.trim() || form.judge.base_url.trim() || form.judge.temperature.trim()
        ? { provider: 'openai', model: form.judge.model.trim() || undefined, base_url: orNull(form.judge.base_url), temperature: numberOr(form.judge.temperature, undefined) }
        : null,
  };
  return analysis.summary || analysis.structured_data || analysis.scorecard ? analysis : null;
}
