import type { ReactNode } from 'react';
import { useFormContext } from 'react-hook-form';
import { Field } from '../../components/Field';
import { modelDefaults, transcriberDefaults, voiceDefaults, type AssistantFormValues } from './assistant-form';

const SECTION_DEFAULTS = { model: modelDefaults, voice: voiceDefaults, transcriber: transcriberDefaults };

/**
 * The provider choice at the top of a provider section. Choosing another provider starts the section afresh (that
 * provider's defaults), so nothing another provider needed, such as an eSpeak voice id, is sent to the new one.
 */
export function ProviderField({ section, hint, children }: { section: keyof typeof SECTION_DEFAULTS; hint: string; children: ReactNode }) {
  const { register, setValue, clearErrors } = useFormContext<AssistantFormValues>();
  return (
    <Field name={`${section}.provider`} label="Provider" hint={hint}>
      <select
        {...register(`${section}.provider`, {
          onChange: (event) => {
            setValue(section, SECTION_DEFAULTS[section](event.target.value), { shouldDirty: true });
            clearErrors(section);
          },
        })}
      >
        {children}
      </select>
    </Field>
  );
}
