import { useSyncExternalStore } from 'react';

/**
 * The organization key lives in this tab's sessionStorage: it survives reloads, not closing the tab, and is not
 * shared with other tabs. Signing out forgets it.
 */
const STORAGE_KEY = 'echosphere.key';
const listeners = new Set<() => void>();

export function readKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function signIn(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
  for (const listener of listeners) listener();
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useApiKey(): string | null {
  return useSyncExternalStore(subscribe, readKey);
}
