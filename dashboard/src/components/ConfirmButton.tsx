import { useRef, useState, type ReactNode } from 'react';
import { errorMessage } from '../api/api-error';

/** A button that asks first (a modal <dialog>: focus trapped, Escape cancels) and shows the action's error if it fails. */
export function ConfirmButton(props: {
  label: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  className?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className={props.className ?? 'button danger-outline small'} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={`${props.title}-title`}>
        <h2 id={`${props.title}-title`}>{props.title}</h2>
        <div className="dialog-body">{props.body}</div>
        {error != null && <p className="inline-error" role="alert">{errorMessage(error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button ghost" onClick={() => dialog.current?.close()}>Cancel</button>
          <button type="button" className="button danger" disabled={busy} onClick={() => void confirm()}>
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
