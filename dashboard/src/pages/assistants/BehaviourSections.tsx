import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { CheckboxField, Field } from '../../components/Field';
import { FormSection } from '../../components/FormSection';
import { jsonObjectProblem } from '../../components/json-object-problem';
import { newTool, TURN_DEFAULTS, type AssistantFormValues } from './assistant-form';

export function TurnSection() {
  const { register } = useFormContext<AssistantFormValues>();
  return (
    <FormSection title="Turn-taking">
      <CheckboxField name="turn.interruptions_enabled" label="Let the user interrupt" hint="The user can barge in while the assistant speaks; its audio stops at once. Default on." />
      <div className="grid two">
        <Field name="turn.interruption_min_duration_ms" label="Interruption: minimum speech (ms)" hint={`How long the user must speak over the assistant to interrupt it. Default ${TURN_DEFAULTS.interruption_min_duration_ms}.`}>
          <input inputMode="numeric" {...register('turn.interruption_min_duration_ms')} />
        </Field>
        <Field name="turn.interruption_min_words" label="Interruption: minimum words" hint={`Words the user must say to interrupt (0: speech alone is enough). Default ${TURN_DEFAULTS.interruption_min_words}.`}>
          <input inputMode="numeric" {...register('turn.interruption_min_words')} />
        </Field>
        <Field name="turn.endpointing_min_delay_ms" label="End of turn: minimum wait (ms)" hint={`Silence after which a finished-sounding sentence ends the user's turn. Default ${TURN_DEFAULTS.endpointing_min_delay_ms}.`}>
          <input inputMode="numeric" {...register('turn.endpointing_min_delay_ms')} />
        </Field>
        <Field name="turn.endpointing_max_delay_ms" label="End of turn: maximum wait (ms)" hint={`The longest the assistant waits when the user seems mid-sentence; at least the minimum. Default ${TURN_DEFAULTS.endpointing_max_delay_ms}.`}>
          <input inputMode="numeric" {...register('turn.endpointing_max_delay_ms')} />
        </Field>
        <Field name="turn.vad" label="Voice activity detection" hint="Default is the built-in detector (lighter); Silero is a neural model (more robust to noise, more CPU).">
          <select {...register('turn.vad')}>
            <option value="default">Default</option>
            <option value="silero">Silero</option>
          </select>
        </Field>
      </div>
    </FormSection>
  );
}

export function ToolsSection() {
  const { register, control } = useFormContext<AssistantFormValues>();
  const tools = useFieldArray({ control, name: 'tools' });
  const types = useWatch({ control, name: 'tools' });
  const hasEndCall = types?.some((tool) => tool.type === 'end_call');
  return (
    <FormSection title="Tools">
      <p className="hint">Function tools are POSTed (signed) to your server with the arguments the model chose; the reply goes back to the model. The end-call tool lets the model hang up.</p>
      {tools.fields.length === 0 && <p className="muted small">No tools.</p>}
      {tools.fields.map((tool, index) => (
        <fieldset key={tool.id} className="tool">
          <legend>{tool.type === 'end_call' ? 'End call' : `Function ${index + 1}`}</legend>
          {tool.type === 'function' ? (
            <>
              <div className="grid two">
                <Field name={`tools.${index}.name`} label="Function name" hint="Letters, digits, _ or -; unique.">
                  <input {...register(`tools.${index}.name`)} />
                </Field>
                <Field name={`tools.${index}.server.url`} label="Function server URL" hint="Where the call is POSTed.">
                  <input type="url" placeholder="https://example.com/tools/lookup" {...register(`tools.${index}.server.url`)} />
                </Field>
                <Field name={`tools.${index}.description`} label="Function description" hint="Tells the model when to call it.">
                  <input {...register(`tools.${index}.description`)} />
                </Field>
                <Field name={`tools.${index}.server.timeout_ms`} label="Function timeout (ms)" hint="100–30000. Default 5000.">
                  <input inputMode="numeric" {...register(`tools.${index}.server.timeout_ms`)} />
                </Field>
              </div>
              <Field name={`tools.${index}.parameters`} label="Parameters (JSON Schema)" hint='An object schema: {"type": "object", "properties": {…}, "required": […]}.'>
                <textarea className="code" rows={8} spellCheck={false} {...register(`tools.${index}.parameters`, { validate: (text) => jsonObjectProblem(text, true) })} />
              </Field>
            </>
          ) : (
            <Field name={`tools.${index}.description`} label="End-call description" hint="Optional: when the model should end the call.">
              <input {...register(`tools.${index}.description`)} />
            </Field>
          )}
          <button type="button" className="button ghost small" onClick={() => tools.remove(index)}>Remove tool</button>
        </fieldset>
      ))}
      <div className="row">
        <button type="button" className="button small" onClick={() => tools.append(newTool('function'))}>Add function tool</button>
        <button type="button" className="button small" disabled={hasEndCall} onClick={() => tools.append(newTool('end_call'))}>Add end-call tool</button>
      </div>
    </FormSection>
  );
}

export function CallSection() {
  const { register, control } = useFormContext<AssistantFormValues>();
  const metadata = useFieldArray({ control, name: 'metadata' });
  return (
    <FormSection title="Call handling">
      <div className="grid two">
        <Field name="end_call_phrases" label="End-call phrases" hint="One per line. The assistant ends the call after saying one of these.">
          <textarea rows={3} {...register('end_call_phrases')} />
        </Field>
        <Field name="end_call_message" label="End-call message" hint="Said before ending the call. Optional.">
          <textarea rows={3} {...register('end_call_message')} />
        </Field>
        <Field name="silence_timeout_s" label="Silence timeout (s)" hint="End the call after this much silence from the user (5–3600). Empty: never.">
          <input inputMode="numeric" {...register('silence_timeout_s')} />
        </Field>
        <Field name="max_duration_s" label="Maximum duration (s)" hint="10–14400. Default 1800.">
          <input inputMode="numeric" {...register('max_duration_s')} />
        </Field>
        <Field name="server_url" label="Server URL (webhook override)" hint="This assistant's events also go here. Optional.">
          <input type="url" {...register('server_url')} />
        </Field>
        <CheckboxField name="recording_enabled" label="Record calls" hint="A stereo recording with adaptive-bitrate playback. Default on." />
      </div>
      <fieldset className="metadata" data-field="metadata">
        <legend>Metadata</legend>
        <p className="hint">Your own key–value strings, returned with the assistant.</p>
        {metadata.fields.map((row, index) => (
          <div className="row" key={row.id}>
            <Field name={`metadata.${index}.key`} label="Key">
              <input {...register(`metadata.${index}.key`)} />
            </Field>
            <Field name={`metadata.${index}.value`} label="Value" className="grow">
              <input {...register(`metadata.${index}.value`)} />
            </Field>
            <button type="button" className="button ghost small" aria-label={`Remove metadata ${index + 1}`} onClick={() => metadata.remove(index)}>Remove</button>
          </div>
        ))}
        <button type="button" className="button small" onClick={() => metadata.append({ key: '', value: '' })}>Add metadata</button>
      </fieldset>
    </FormSection>
  );
}
