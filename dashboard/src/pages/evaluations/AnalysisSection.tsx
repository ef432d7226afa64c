import { useFormContext } from 'react-hook-form';
import { CheckboxField, Field } from '../../components/Field';
import { FormSection } from '../../components/FormSection';
import { jsonObjectProblem } from '../../components/json-object-problem';
import type { AssistantFormValues } from '../assistants/assistant-form';
import { CriteriaEditor } from './CriteriaEditor';

const SCHEMA_EXAMPLE = JSON.stringify(
  { type: 'object', additionalProperties: false, required: ['party_size', 'date'], properties: { party_size: { type: 'integer' }, date: { type: ['string', 'null'] } } },
  null,
  2,
);

/** Summary, structured data, the scorecard (llm, metric and match criteria) and the judge model. */
export function AnalysisSection() {
  const { register } = useFormContext<AssistantFormValues>();
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
        <textarea className="code" rows={6} spellCheck={false} {...register('analysis.structured_data.schema', { validate: (text) => text.trim() === '' || jsonObjectProblem(text) })} />
      </Field>
      <Field name="analysis.structured_data.prompt" label="Extraction instructions" hint="Optional.">
        <input {...register('analysis.structured_data.prompt')} />
      </Field>

      <fieldset className="scorecard" data-field="analysis.scorecard">
        <legend>Scorecard</legend>
        <CriteriaEditor name="analysis.scorecard.criteria" />
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
