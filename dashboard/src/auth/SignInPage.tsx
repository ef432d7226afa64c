import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError, errorMessage } from '../api/api-error';
import { signIn } from './key-store';

interface SignInValues {
  key: string;
}

/** Signs in with an organization's secret key, checked against the API before it is kept. */
export function SignInPage({ linkError }: { linkError?: string }) {
  const { register, handleSubmit, formState } = useForm<SignInValues>();
  const [error, setError] = useState<string | undefined>();

  const submit = handleSubmit(async ({ key }) => {
    setError(undefined);
    const trimmed = key.trim();
    try {
      const response = await fetch('/v1/organization', { headers: { authorization: `Bearer ${trimmed}` } });
      if (!response.ok) throw ApiError.from(response.status, await response.json().catch(() => undefined));
      signIn(trimmed);
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? 'That key is not valid (or was revoked).' : errorMessage(caught));
    }
  });

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate>
        <div className="brand large">
          <span className="brand-mark" aria-hidden="true" />
          <span>EchoSphere</span>
        </div>
        <h1>Sign in</h1>
        {linkError && <p className="inline-error banner" role="alert">{linkError}</p>}
        <p className="muted">
          Paste a secret key of your organization (<code>sk_…</code>). It stays in this tab only and is forgotten when you sign out
          or close the tab.
        </p>
        <div className="field">
          <label htmlFor="sign-in-key">Secret key</label>
          <input
            id="sign-in-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="sk_…"
            aria-invalid={error || formState.errors.key ? true : undefined}
            {...register('key', { required: 'Enter a key.', pattern: { value: /^\s*sk_\S+\s*$/, message: 'Secret keys start with sk_.' } })}
          />
          {formState.errors.key && <p className="field-error">{formState.errors.key.message}</p>}
        </div>
        {error && <p className="inline-error" role="alert">{error}</p>}
        <button type="submit" className="button primary wide" disabled={formState.isSubmitting}>
          {formState.isSubmitting ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">
          Running the embedded server? Open the <strong>Dashboard</strong> link it prints: it signs you in once, without a key.
        </p>
      </form>
    </main>
  );
}
