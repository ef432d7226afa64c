import { useFormContext, useWatch } from 'react-hook-form';
import { Link } from 'react-router';
import { Field } from '../../components/Field';
import { CriteriaEditor } from '../evaluations/CriteriaEditor';
import { callerLines, clipsForLines, type SuiteFormValues } from './suite-form';

/** One scenario of a suite: who calls (scripted lines or a persona with a goal), how (typed or spoken), and what must hold. */
export function ScenarioEditor({ index, onRemove }: { index: number; onRemove: () => void }) {
  const { register, control } = useFormContext<SuiteFormValues>();
  const prefix = `scenarios.${index}` as const;
  const kind = useWatch({ control, name: `${prefix}.caller.kind` });
  const sourceSessionId = useWatch({ control, name: `${prefix}.source_session_id` });
  const lines = callerLines(useWatch({ control, name: `${prefix}.caller.turns` }) ?? '');
  const recorded = useWatch({ control, name: `${prefix}.recorded` }) ?? [];
  const replayed = clipsForLines(lines, recorded).filter(Boolean).length;
  return (
    <fieldset className="scenario" data-testid={`scenario-${index}`}>
      <legend>{kind === 'turns' ? 'Scripted caller' : 'Persona caller'}</legend>
      {sourceSessionId && (
        <p className="muted small">
          Made from session <Link to={`/sessions/${sourceSessionId}`}><code>{sourceSessionId}</code></Link>.
        </p>
      )}
      <div className="grid two">
        <Field name={`${prefix}.name`} label="Scenario name">
          <input {...register(`${prefix}.name`)} />
        </Field>
        <Field name={`${prefix}.input`} label="The caller" hint="Spoken lines are streamed through the assistant's transcriber: the caller's recorded voice where the scenario has it, else synthesised.">
          <select {...register(`${prefix}.input`)}>
            <option value="text">types</option>
            <option value="speech">speaks</option>
          </select>
        </Field>
      </div>
      {kind === 'turns' ? (
        <>
          <Field name={`${prefix}.caller.turns`} label="Caller lines" hint="One per line, said in order, each after the assistant's turn ends.">
            <textarea rows={4} {...register(`${prefix}.caller.turns`)} />
          </Field>
          {recorded.some((saved) => saved.clip) && (
            <p className="hint" data-testid={`scenario-${index}-recorded`}>
              {replayed} of {lines.length} lines replay the caller's recorded voice when spoken; a changed line is synthesised.
            </p>
          )}
        </>
      ) : (
        <div className="grid two">
          <Field name={`${prefix}.caller.persona`} label="Persona" hint="Who the simulated caller is. The assistant's judge model plays it (an OpenAI key is needed).">
            <textarea rows={3} {...register(`${prefix}.caller.persona`)} />
          </Field>
          <Field name={`${prefix}.caller.goal`} label="Goal" hint="The caller hangs up once it is met.">
            <textarea rows={3} {...register(`${prefix}.caller.goal`)} />
          </Field>
          <Field name={`${prefix}.caller.max_turns`} label="Most caller turns">
            <input inputMode="numeric" {...register(`${prefix}.caller.max_turns`)} />
          </Field>
        </div>
      )}
      <Field name={`${prefix}.timeout_s`} label="Time limit (s)" hint="The scenario is an error when the conversation takes longer.">
        <input inputMode="numeric" {...register(`${prefix}.timeout_s`)} />
      </Field>
      <fieldset className="scorecard" data-field={`${prefix}.criteria`}>
        <legend>Expected outcome</legend>
        <p className="hint">The scenario passes when every criterion passes.</p>
        <CriteriaEditor name={`${prefix}.criteria`} />
      </fieldset>
      <button type="button" className="button danger-outline small" onClick={onRemove}>Remove scenario</button>
    </fieldset>
  );
}
