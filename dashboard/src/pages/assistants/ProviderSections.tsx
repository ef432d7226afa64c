import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { Field } from '../../components/Field';
import { FormSection } from '../../components/FormSection';
import { PROVIDER_DEFAULTS, type AssistantFormValues } from './assistant-form';
import { ProviderField } from './ProviderField';
import { VoicePicker } from './VoicePicker';

const PROVIDER_NAMES = { openai: 'OpenAI', elevenlabs: 'ElevenLabs', deepgram: 'Deepgram' } as const;

/** What a base URL may be for this provider, and that it needs the organization's own key for it. */
function baseUrlHint(provider: keyof typeof PROVIDER_NAMES): string {
  const endpoint = provider === 'openai' ? 'An OpenAI-compatible endpoint (a self-hosted model server, a proxy)' : `A regional or self-hosted ${PROVIDER_NAMES[provider]} endpoint`;
  return `Optional. ${endpoint}, used with the organization's own ${PROVIDER_NAMES[provider]} key (Providers); empty uses ${PROVIDER_NAMES[provider]} itself.`;
}

export function ModelSection() {
  const { register, control } = useFormContext<AssistantFormValues>();
  const provider = useWatch({ control, name: 'model.provider' });
  const rules = useFieldArray({ control, name: 'model.script.rules' });
  return (
    <FormSection title="Model">
      <ProviderField section="model" hint="Scripted replies need no key and run offline; OpenAI takes a key from Providers or the server environment.">
        <option value="scripted">Scripted (offline, deterministic)</option>
        <option value="openai">OpenAI or compatible</option>
      </ProviderField>
      {provider === 'openai' ? (
        <div className="grid two">
          <Field name="model.model" label="Model" hint={`Default ${PROVIDER_DEFAULTS.openaiModel}.`}>
            <input {...register('model.model')} />
          </Field>
          <Field name="model.temperature" label="Temperature" hint="0–2. Default 0.7.">
            <input inputMode="decimal" {...register('model.temperature')} />
          </Field>
          <Field name="model.max_tokens" label="Max tokens" hint="Per reply. Empty: no limit.">
            <input inputMode="numeric" {...register('model.max_tokens')} />
          </Field>
          <Field name="model.base_url" label="Base URL" hint={baseUrlHint('openai')}>
            <input type="url" placeholder="https://api.openai.com/v1" {...register('model.base_url')} />
          </Field>
        </div>
      ) : (
        <>
          <fieldset className="rules">
            <legend>Rules</legend>
            <p className="hint">Tried in order: the first pattern (a case-insensitive regular expression, without backreferences or lookaround) that matches what the user said gives the reply.</p>
            {rules.fields.length === 0 && <p className="muted small">No rules yet: every turn gets the default reply.</p>}
            {rules.fields.map((rule, index) => (
              <div className="row rule" key={rule.id}>
                <Field name={`model.script.rules.${index}.pattern`} label={`Pattern ${index + 1}`}>
                  <input placeholder="hours|open" {...register(`model.script.rules.${index}.pattern`)} />
                </Field>
                <Field name={`model.script.rules.${index}.reply`} label={`Reply ${index + 1}`} className="grow">
                  <input {...register(`model.script.rules.${index}.reply`)} />
                </Field>
                <button type="button" className="button ghost small" aria-label={`Remove rule ${index + 1}`} onClick={() => rules.remove(index)}>Remove</button>
              </div>
            ))}
            <button type="button" className="button small" onClick={() => rules.append({ pattern: '', reply: '' })}>Add rule</button>
          </fieldset>
          <Field name="model.script.default_reply" label="Default reply" hint="Said when no rule matches.">
            <input {...register('model.script.default_reply')} />
          </Field>
        </>
      )}
    </FormSection>
  );
}

export function VoiceSection() {
  const { register, control } = useFormContext<AssistantFormValues>();
  const provider = useWatch({ control, name: 'voice.provider' });
  return (
    <FormSection title="Voice">
      <ProviderField section="voice" hint="The local eSpeak voice is robotic but needs no key and runs offline.">
        <option value="local">Local eSpeak (offline)</option>
        <option value="openai">OpenAI text-to-speech</option>
        <option value="elevenlabs">ElevenLabs</option>
      </ProviderField>
      <div className="grid two">
        <VoicePicker provider={provider} />
        {provider === 'local' && (
          <Field name="voice.speed_wpm" label="Speed (words per minute)" hint="80–450. Default 175.">
            <input inputMode="numeric" {...register('voice.speed_wpm')} />
          </Field>
        )}
        {provider !== 'local' && (
          <Field name="voice.model" label="Model" hint={`Default ${provider === 'openai' ? PROVIDER_DEFAULTS.openaiVoiceModel : PROVIDER_DEFAULTS.elevenlabsModel}.`}>
            <input {...register('voice.model')} />
          </Field>
        )}
        {provider === 'openai' && (
          <Field name="voice.speed" label="Speed" hint="0.25–4. Default 1.">
            <input inputMode="decimal" {...register('voice.speed')} />
          </Field>
        )}
        {provider === 'elevenlabs' &&
          (['stability', 'similarity_boost', 'style', 'speed'] as const).map((setting) => (
            <Field key={setting} name={`voice.settings.${setting}`} label={setting.replace('_', ' ')} hint="Optional; the voice's own setting when empty.">
              <input inputMode="decimal" {...register(`voice.settings.${setting}`)} />
            </Field>
          ))}
        {provider !== 'local' && (
          <Field name="voice.base_url" label="Base URL" hint={baseUrlHint(provider)}>
            <input type="url" {...register('voice.base_url')} />
          </Field>
        )}
      </div>
    </FormSection>
  );
}

export function TranscriberSection() {
  const { register, control } = useFormContext<AssistantFormValues>();
  const provider = useWatch({ control, name: 'transcriber.provider' });
  return (
    <FormSection title="Transcriber">
      <ProviderField section="transcriber" hint="Without a transcriber the user types (user.text messages); test calls then have no microphone.">
        <option value="none">None (typed input only)</option>
        <option value="deepgram">Deepgram</option>
        <option value="openai">OpenAI speech-to-text</option>
      </ProviderField>
      {provider !== 'none' && (
        <div className="grid three">
          <Field name="transcriber.model" label="Model" hint={`Default ${provider === 'deepgram' ? PROVIDER_DEFAULTS.deepgramModel : PROVIDER_DEFAULTS.openaiTranscriber}.`}>
            <input {...register('transcriber.model')} />
          </Field>
          <Field name="transcriber.language" label="Language" hint={provider === 'deepgram' ? `Default ${PROVIDER_DEFAULTS.deepgramLanguage}.` : 'Empty detects the language.'}>
            <input {...register('transcriber.language')} />
          </Field>
          <Field name="transcriber.base_url" label="Base URL" hint={baseUrlHint(provider)}>
            <input type="url" {...register('transcriber.base_url')} />
          </Field>
        </div>
      )}
    </FormSection>
  );
}
