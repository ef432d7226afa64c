import createClient from 'openapi-fetch';
import type { components, paths } from '../../../openapi/generated/schema';
import { readKey, signOut } from '../auth/key-store';
import { ApiError } from './api-error';

export type Schemas = components['schemas'];

/** The public API, typed from openapi.yaml. The dashboard has no private endpoints besides the sign-in exchange. */
export const api = createClient<paths>({ baseUrl: window.location.origin });

api.use({
  onRequest({ request }) {
    const key = readKey();
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
  onResponse({ response }) {
    // A revoked or mistyped key: back to the sign-in page rather than a page full of errors.
    if (response.status === 401 && readKey()) signOut();
    return response;
  },
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a successful call, or an ApiError carrying the API's error (code, message, dotted `param`). */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw ApiError.from(response.status, error);
  return data as T;
}
