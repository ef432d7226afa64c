import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import type { Schemas } from '../../api/client';
import { CheckboxField, Field } from '../../components/Field';
import { FormSection } from '../../components/FormSection';
import type { AssistantFormValues } from '../assistants/assistant-form';
import { METRICS, newCriterion, type MetricName } from './analysis-form';

const SCHEMA_EXAMPLE = JSON.stringify(
  { type: 'object', additionalProperties: false, required: ['party_size', 'date'], properties: { party_size: { type: 'integer' }, date: { type: ['string', 'null'] } } },
  null,
  2,
);

/** Caught while typing: the schema editor's text, when there is any, must be a JSON object. */
function schemaProblem(text: string): true | string {
  if (text.trim() === '') return true;
  try {
    const schema: unknown = JSON.parse(text);
    return (schema !== null && typeof schema === 'object' && !Array.isArray(schema)) || 'must be a JSON object';
  } catch (error) {
    return `is not valid JSON (${(error as Error).message})`;
  }
}

const OPERATORS: Array<[Schemas['MetricOperator'], string]> = [
  ['lt', '<'],
  ['lte', '≤'],
  ['gt', '>'],
  ['gte', '≥'],
  ['eq', '='],
  ['neq', '≠'],
];

/** Summary, structured data, the scorecard (llm, metric and match criteria) and the judge model. */
export function AnalysisSection() {
  const { register, control } = useFormContext<AssistantFormValues>();
  const criteria = useFieldArray({ control, name: 'analysis.scorecard.criteria' });
  return (
    <FormSection title="Analysis">
      <p className="hint">
        Worked out from every session once it ends. Metric and match criteria need no model; the summary, structured data and llm criteria are asked of
        the judge model (with the organization's OpenAI key, or the server's) and are skipped without one.
      </p>
      <CheckboxField name="analysis.summary.enabled" label="Write a summary of each session" />
      <Field name="analysis.summary.prompt" label="Summary instructions" hint="Optional: what the summary should say.">
        <textarea rows={2} {...register('analysis.summary.prompt')} />
      </Field>
      <Field
        name="analysis.structured_data.schema"
        label="Structured data (JSON Schema)"
        hint={<>The facts to extract. Every object needs <code>"additionalProperties": false</code> and all its properties in <code>required</code> (a nullable type for optional facts). Empty: none. Example: <code>{SCHEMA_EXAMPLE.replace(/\s+/g, ' ')}</code></>}
      >
        <textarea className="code" rows={6} spellCheck={false} {...register('analysis.structured_data.schema', { validate: schemaProblem })} />
      </Field>
      <Field name="analysis.structured_data.prompt" label="Extraction instructions" hint="Optional.">
        <input {...register('analysis.structured_data.prompt')} />
      </Field>

      <fieldset className="scorecard" data-field="analysis.scorecard">
        <legend>Scorecard</legend>
        {criteria.fields.length === 0 && <p className="muted small">No criteria.</p>}
        {criteria.fields.map((criterion, index) => (
          <fieldset key={criterion.id} className="criterion" data-testid={`criterion-${index}`}>
            <legend>{criterion.kind === 'llm' ? 'Judged by the model' : criterion.kind === 'metric' ? 'Metric' : 'Transcript match'}</legend>
            <CriterionFields index={index} kind={criterion.kind} />
            <button type="button" className="button ghost small" onClick={() => criteria.remove(index)}>Remove criterion</button>
          </fieldset>
        ))}
        <div className="row">
          <button type="button" className="button small" onClick={() => criteria.append(newCriterion('llm'))}>Add llm criterion</button>
          <button type="button" className="button small" onClick={() => criteria.append(newCriterion('metric'))}>Add metric criterion</button>
          <button type="button" className="button small" onClick={() => criteria.append(newCriterion('match'))}>Add match criterion</button>
        </div>
        <Field name="analysis.scorecard.pass_threshold" label="Pass threshold (0–1)" hint="The overall score (mean of the criteria) a session needs. Empty: every criterion must pass.">
          <input inputMode="decimal" {...register('analysis.scorecard.pass_threshold')} />
        </Field>
      </fieldset>

      <div className="grid two">
        <Field name="analysis.judge.model" label="Judge model" hint="Any OpenAI-compatible model. Default gpt-4o-mini.">
          <input placeholder="gpt-4o-mini" {...register('analysis.judge.model')} />
        </Field>
        <Field name="analysis.judge.base_url" label="Judge base URL" hint="An OpenAI-compatible server; needs the organization's own OpenAI key. Optional.">
          <input type="url" {...register('analysis.judge.base_url')} />
        </Field>
      </div>
    </FormSection>
  );
}

function CriterionFields({ index, kind }: { index: number; kind: 'llm' | 'metric' | 'match' }) {
  const { register, control } = useFormContext<AssistantFormValues>();
  const prefix = `analysis.scorecard.criteria.${index}` as const;
  const metric = useWatch({ control, name: `${prefix}.metric` }) as MetricName;
  const name = (
    <Field name={`${prefix}.name`} label="Criterion name" hint="Unique within the scorecard.">
      <input {...register(`${prefix}.name`)} />
    </Field>
  );
  if (kind === 'llm') {
    return (
      <div className="grid two">
        {name}
        <Field name={`${prefix}.scale`} label="Scale">
          <select {...register(`${prefix}.scale`)}>
            <option value="pass_fail">Pass / fail</option>
            <option value="1-5">1–5</option>
            <option value="0-10">0–10</option>
          </select>
        </Field>
        <Field name={`${prefix}.question`} label="Question for the judge" hint="e.g. Did the assistant confirm the date and party size?">
          <textarea rows={2} {...register(`${prefix}.question`)} />
        </Field>
        <Field name={`${prefix}.pass_min`} label="Lowest passing score" hint="1–5 and 0–10 scales. Default 4 and 7.">
          <input inputMode="numeric" {...register(`${prefix}.pass_min`)} />
        </Field>
      </div>
    );
  }
  if (kind === 'metric') {
    const type = METRICS[metric]?.type ?? 'number';
    return (
      <div className="grid two">
        {name}
        <Field name={`${prefix}.metric`} label="Metric">
          <select {...register(`${prefix}.metric`)}>
            {Object.entries(METRICS).map(([value, { label }]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </Field>
        <Field name={`${prefix}.operator`} label="Operator">
          <select {...register(`${prefix}.operator`)}>
            {OPERATORS.filter(([value]) => type === 'number' || value === 'eq' || value === 'neq').map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </Field>
        <Field name={`${prefix}.threshold`} label="Threshold">
          {type === 'boolean' ? (
            <select {...register(`${prefix}.threshold`)}>
              <option value="true">yes</option>
              <option value="false">no</option>
            </select>
          ) : (
            <input inputMode={type === 'number' ? 'numeric' : 'text'} {...register(`${prefix}.threshold`)} />
          )}
        </Field>
        {metric === 'tool_called' && (
          <Field name={`${prefix}.tool`} label="Tool name" hint="Empty: any tool.">
            <input {...register(`${prefix}.tool`)} />
          </Field>
        )}
      </div>
    );
  }
  return (
    <div className="grid two">
      {name}
      <Field name={`${prefix}.mode`} label="Passes when">
        <select {...register(`${prefix}.mode`)}>
          <option value="contains">a message contains the text</option>
          <option value="not_contains">no message contains the text</option>
          <option value="regex">a message matches the regular expression</option>
        </select>
      </Field>
      <Field name={`${prefix}.pattern`} label="Text or pattern" hint="Case-insensitive. Regular expressions run on a linear-time engine (no lookaround or backreferences).">
        <input {...register(`${prefix}.pattern`)} />
      </Field>
      <Field name={`${prefix}.role`} label="In messages of">
        <select {...register(`${prefix}.role`)}>
          <option value="assistant">the assistant</option>
          <option value="user">the caller</option>
          <option value="any">either</option>
        </select>
      </Field>
    </div>
  );
}
