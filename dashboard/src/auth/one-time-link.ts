import { ApiError } from '../api/api-error';
import { signIn } from './key-store';

/**
 * The embedded default prints `http://host/#login=<code>`. The code is exchanged once for a fresh short-lived key
 * (revoked again on sign-out), and the fragment
 * is removed from the address bar and history straight away so the link cannot be replayed from there.
 */
export function takeLoginCode(): string | null {
  const match = /^#login=([\w-]+)$/.exec(window.location.hash);
  if (!match) return null;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return match[1] ?? null;
}

export async function exchangeLoginCode(code: string): Promise<void> {
  const response = await fetch('/dashboard/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw ApiError.from(response.status, body);
  const minted = body as { key: string; key_id: string };
  signIn(minted.key, minted.key_id);
}
