import type { LiveKitTestServer } from '../../support/services.ts';

/** The configuration variables that point EchoSphere at the test LiveKit server. */
export function liveKitEnv(server: LiveKitTestServer): Record<string, string> {
  return {
    LIVEKIT_URL: server.url,
    LIVEKIT_PUBLIC_URL: server.wsUrl,
    LIVEKIT_API_KEY: server.apiKey,
    LIVEKIT_API_SECRET: server.apiSecret,
  };
}
