import { useId, type ReactNode } from 'react';

/** A select outside any form library, with a label above it (its name is the label alone, not the chosen option). */
export function LabelledSelect(props: { label: string; value: string; onChange: (value: string) => void; disabled?: boolean; className?: string; children: ReactNode }) {
  const id = useId();
  return (
    <div className={`field ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(event) => props.onChange(event.target.value)} disabled={props.disabled}>
        {props.children}
      </select>
    </div>
  );
}
