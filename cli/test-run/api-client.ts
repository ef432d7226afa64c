import { CliError } from '../cli-error.ts';

/** The EchoSphere API as the `test run` command calls it: JSON in and out, errors as their message. */
export function testRunApi(baseUrl: string, key: string) {
  return async function call<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      throw new CliError(`Cannot reach EchoSphere at ${baseUrl} (${(error as Error).cause ?? (error as Error).message}). Is it running, and is that its address?`);
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Record<string, any>) : {};
    if (!response.ok) {
      const problems = (json.error?.errors as Array<{ message: string }> | undefined)?.map((problem) => problem.message) ?? [json.error?.message ?? `HTTP ${response.status}`];
      throw new CliError(`${method} ${path} answered ${response.status}:\n  ${problems.join('\n  ')}`);
    }
    return json as T;
  };
}

export type TestRunApi = ReturnType<typeof testRunApi>;
