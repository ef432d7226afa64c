/**
 * The external services some tests need (PostgreSQL, a LiveKit server, stripe-mock), as started by
 * `scripts/test-services.sh`, which writes their addresses into the environment that `npm test` passes on. Without them those tests are skipped
 * with a message naming the command that starts them; in CI (`CI=true`) a missing service fails the file instead.
 */
const START_COMMAND = 'npm run services:start';

export interface LiveKitTestServer {
  /** The server's HTTP API, for livekit-server-sdk. */
  url: string;
  /** The same server's WebSocket URL, for participants. */
  wsUrl: string;
  apiKey: string;
  apiSecret: string;
}

type Available<T> = { service: T; skip: false } | { service: undefined; skip: string };

function available<T>(name: string, variables: string[], build: (values: string[]) => T): Available<T> {
  const values = variables.map((variable) => process.env[variable] ?? '');
  const missing = variables.filter((_, index) => !values[index]);
  if (missing.length === 0) return { service: build(values), skip: false };
  const reason = `${name} is not running (${missing.join(', ')} unset): start it with \`${START_COMMAND}\``;
  if (process.env.CI === 'true') throw new Error(`CI needs ${reason}`);
  return { service: undefined, skip: reason };
}

export function liveKitTestServer(): Available<LiveKitTestServer> {
  return available('The LiveKit server', ['LIVEKIT_TEST_URL', 'LIVEKIT_TEST_API_KEY', 'LIVEKIT_TEST_API_SECRET'], ([url, apiKey, apiSecret]) => ({
    url: url!,
    wsUrl: url!.replace(/^http/, 'ws'),
    apiKey: apiKey!,
    apiSecret: apiSecret!,
  }));
}

export function stripeMock(): Available<{ url: URL }> {
  return available('stripe-mock', ['STRIPE_MOCK_URL'], ([url]) => ({ url: new URL(url!) }));
}

/**
 * A PostgreSQL server for tests that need one whatever database the suite runs on (pg-boss, several processes, database
 * users): the suite's own (TEST_DATABASE_URL) when it runs on PostgreSQL, otherwise the test services' one
 * (TEST_POSTGRES_URL), so that such tests run in the embedded database's run too. `url` names an administrator.
 */
export function postgresTestServer(): Available<{ url: string }> {
  const variable = process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'TEST_POSTGRES_URL';
  return available('PostgreSQL', [variable], ([url]) => ({ url: url! }));
}
