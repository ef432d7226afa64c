import { useState } from 'react';

/** A secret shown exactly once (API keys, webhook signing secrets), with a copy button. */
export function SecretReveal({ label, secret, onDismiss }: { label: string; secret: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="callout" role="status">
      <strong>{label}</strong>
      <p className="muted">Copy it now: it will not be shown again.</p>
      <div className="secret-row">
        <code className="secret" data-testid="revealed-secret">{secret}</code>
        <button
          type="button"
          className="button small"
          onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true))}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="button ghost small" onClick={onDismiss}>Done</button>
      </div>
    </div>
  );
}
