import { createHash } from 'node:crypto';
import { inference, type VAD } from '@livekit/agents';
import { OpenAI } from 'openai';

/**
 * What every session in a process can share instead of loading its own: the Silero VAD model (~12 MB per instance)
 * and HTTP clients (keep-alive pools). Sessions get per-session streams from these.
 */
export class SharedResources {
  private sileroVad: Promise<VAD> | undefined;
  private readonly openAiClients = new Map<string, OpenAI>();

  vad(kind: 'default' | 'silero'): Promise<VAD> {
    if (kind === 'silero') {
      this.sileroVad ??= import('@livekit/agents-plugin-silero').then(async ({ VAD: SileroVAD }) => {
        const vad = await SileroVAD.load();
        // Loaded once for memory's sake, so every live session listens on it (and hears all sessions' VAD metrics).
        vad.setMaxListeners(0);
        return vad;
      });
      return this.sileroVad;
    }
    // One per session: inference.VAD only holds options (each stream runs its own native model), and a VAD emits
    // its metrics to every session listening on it — shared, each session would hear every other session's.
    return Promise.resolve(new inference.VAD());
  }

  /** One OpenAI client per (base URL, key): requests from many sessions reuse its connection pool. */
  openAiClient(apiKey: string, baseURL: string | undefined): OpenAI {
    const cacheKey = createHash('sha256').update(`${baseURL ?? ''}\n${apiKey}`).digest('hex');
    let client = this.openAiClients.get(cacheKey);
    if (!client) {
      client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
      this.openAiClients.set(cacheKey, client);
    }
    return client;
  }
}
