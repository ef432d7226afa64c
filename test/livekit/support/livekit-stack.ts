import WebSocket from 'ws';
import { startLiveKitAgentHost, type AgentHostTiming, type LiveKitAgentHost } from '../../../agent-runtime/livekit/agent-host.ts';
import { createRuntimeDeps } from '../../../agent-runtime/session/create-runtime-deps.ts';
import { SessionRooms } from '../../../core/livekit/session-rooms.ts';
import { SessionClient } from '../../../sdk/session-client.ts';
import { resolveFfmpeg } from '../../../workers/transcode/ffmpeg-binary.ts';
import { FfmpegTranscoder } from '../../../workers/transcode/ffmpeg-transcoder.ts';
import { startTranscodeWorker } from '../../../workers/transcode/transcode-worker.ts';
import { startTestApi, type TestApi } from '../../support/api.ts';
import { apiClient } from '../../support/client.ts';
import type { LiveKitTestServer } from '../../support/services.ts';
import { liveKitEnv } from './livekit-env.ts';

export interface LiveKitStack {
  api: TestApi;
  call: ReturnType<typeof apiClient>;
  orgId: string;
  rooms: SessionRooms;
  /** The agent processes' hosts (this process plays each of them). */
  agents: LiveKitAgentHost[];
  /** Starts one more agent host on the same database. */
  addAgent(): Promise<LiveKitAgentHost>;
  /** A WebSocket session of the api's own gateway, for comparison. */
  connectWebSocket(created: { id: string; websocket: { url: string; token: string } }): SessionClient;
  close(): Promise<void>;
}

/**
 * The api (with its WebSocket gateway and recording media) pointed at the test LiveKit server, an organization with
 * provider keys, agent hosts for LiveKit sessions and, when asked, a transcode worker, all on one test database.
 */
export async function startLiveKitStack(
  server: LiveKitTestServer,
  options: { providerKeys?: Record<string, { api_key: string; base_url?: string }>; timing?: Partial<AgentHostTiming>; agents?: number; transcode?: boolean } = {},
): Promise<LiveKitStack> {
  const api = await startTestApi({ env: liveKitEnv(server), withStreamGateway: true });
  const { orgId, secretKey } = await api.createOrganization();
  const call = apiClient(api.baseUrl, secretKey);
  for (const [provider, credential] of Object.entries(options.providerKeys ?? {})) {
    await call('PUT', `/v1/provider-credentials/${provider}`, credential);
  }
  if (options.transcode) {
    await startTranscodeWorker({ db: api.db, queue: api.media.queue, transcoder: new FfmpegTranscoder({ ffmpeg: resolveFfmpeg(), storage: api.media.storage }), concurrency: 1 });
  }
  const rooms = new SessionRooms(api.config.livekit.configured!);
  const runtime = createRuntimeDeps({
    db: api.db,
    secretBox: api.deps.secretBox,
    logger: api.deps.logger,
    allowPrivateUrls: true,
    allowPrivateProviderUrls: true,
    env: {},
    media: api.media,
  });
  const agents: LiveKitAgentHost[] = [];
  const addAgent = async () => {
    const agent = await startLiveKitAgentHost({ db: api.db, logger: api.deps.logger, rooms, runtime, ...(options.timing ? { timing: options.timing } : {}) });
    agents.push(agent);
    return agent;
  };
  for (let i = 0; i < (options.agents ?? 1); i++) await addAgent();
  const clients: SessionClient[] = [];
  return {
    api,
    call,
    orgId,
    rooms,
    agents,
    addAgent,
    connectWebSocket(created) {
      const base = created.websocket.url.replace(/\/v1\/sessions\/.*$/, '');
      const client = new SessionClient({ baseUrl: base, sessionId: created.id, token: created.websocket.token, WebSocketImpl: WebSocket as never });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await Promise.all(agents.map((agent) => agent.stop(5000)));
      await api.close();
    },
  };
}
