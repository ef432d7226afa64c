import { useSyncExternalStore } from 'react';

/**
 * The organization key lives in this tab's sessionStorage: it survives reloads, not closing the tab, and is not
 * shared with other tabs. Signing out forgets it; a key the sign-in link minted for this tab is revoked as well, while
 * a key the person pasted is theirs and stays valid.
 */
const STORAGE_KEY = 'echosphere.key';
const MINTED_KEY_ID = 'echosphere.minted-key-id';
const listeners = new Set<() => void>();

export function readKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

/** `mintedKeyId`: the id of a key made for this sign-in alone, revoked on sign-out. */
export function signIn(key: string, mintedKeyId?: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
  if (mintedKeyId) sessionStorage.setItem(MINTED_KEY_ID, mintedKeyId);
  else sessionStorage.removeItem(MINTED_KEY_ID);
  for (const listener of listeners) listener();
}

export function signOut(): void {
  const key = readKey();
  const mintedKeyId = sessionStorage.getItem(MINTED_KEY_ID);
  sessionStorage.removeItem(STORAGE_KEY);
  sessionStorage.removeItem(MINTED_KEY_ID);
  // keepalive: the revocation is sent even when signing out navigates away. A failure leaves the key to expire.
  if (key && mintedKeyId) {
    void fetch(`/v1/api-keys/${encodeURIComponent(mintedKeyId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${key}` },
      keepalive: true,
    }).catch(() => undefined);
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useApiKey(): string | null {
  return useSyncExternalStore(subscribe, readKey);
}
