import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import type { Schemas } from '../../api/client';
import { Field } from '../../components/Field';
import { METRICS, newCriterion, type CriterionFormValues, type MetricName } from './analysis-form';

const OPERATORS: Array<[Schemas['MetricOperator'], string]> = [
  ['lt', '<'],
  ['lte', '≤'],
  ['gt', '>'],
  ['gte', '≥'],
  ['eq', '='],
  ['neq', '≠'],
];

const KIND_LABELS: Record<CriterionFormValues['kind'], string> = { llm: 'Judged by the model', metric: 'Metric', match: 'Transcript match' };

/**
 * Edits a list of scorecard criteria (llm, metric and match, each with the fields of its kind) held in the surrounding
 * form at `name`: the assistant's scorecard, or a test scenario's expected outcome.
 */
export function CriteriaEditor({ name }: { name: string }) {
  const { control } = useFormContext();
  const criteria = useFieldArray({ control, name });
  const rows = criteria.fields as unknown as Array<CriterionFormValues & { id: string }>;
  return (
    <>
      {rows.length === 0 && <p className="muted small">No criteria.</p>}
      {rows.map((criterion, index) => (
        <fieldset key={criterion.id} className="criterion" data-testid={`criterion-${index}`}>
          <legend>{KIND_LABELS[criterion.kind]}</legend>
          <CriterionFields prefix={`${name}.${index}`} kind={criterion.kind} />
          <button type="button" className="button ghost small" onClick={() => criteria.remove(index)}>Remove criterion</button>
        </fieldset>
      ))}
      <div className="row">
        <button type="button" className="button small" onClick={() => criteria.append(newCriterion('llm'))}>Add llm criterion</button>
        <button type="button" className="button small" onClick={() => criteria.append(newCriterion('metric'))}>Add metric criterion</button>
        <button type="button" className="button small" onClick={() => criteria.append(newCriterion('match'))}>Add match criterion</button>
      </div>
    </>
  );
}

function CriterionFields({ prefix, kind }: { prefix: string; kind: CriterionFormValues['kind'] }) {
  const { register, control } = useFormContext();
  const metric = useWatch({ control, name: `${prefix}.metric` }) as MetricName;
  const name = (
    <Field name={`${prefix}.name`} label="Criterion name" hint="Unique within these criteria.">
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
