import { assertMatchesContract } from './contract.ts';

/**
 * A minimal JSON client for HTTP tests: one place that speaks to the api the way customers do, and checks every
 * response against openapi/openapi.yaml (a test fails when the code and the contract disagree).
 */
export function apiClient(baseUrl: string, key: string, defaultHeaders: Record<string, string> = {}) {
  return async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...defaultHeaders,
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json: any = text ? JSON.parse(text) : undefined;
    assertMatchesContract(method, path, response.status, json, response.headers);
    return { status: response.status, headers: response.headers, body: json };
  };
}
