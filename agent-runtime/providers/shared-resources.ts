import { createHash } from 'node:crypto';
import { inference, type VAD } from '@livekit/agents';
import { OpenAI } from 'openai';

/**
 * What every session in a process can share instead of loading its own: VAD models (the Silero plugin costs ~12 MB
 * per instance) and HTTP clients (keep-alive pools). Sessions get per-session streams from these.
 */
export class SharedResources {
  private defaultVad: VAD | undefined;
  private sileroVad: Promise<VAD> | undefined;
  private readonly openAiClients = new Map<string, OpenAI>();

  vad(kind: 'default' | 'silero'): Promise<VAD> {
    if (kind === 'silero') {
      this.sileroVad ??= import('@livekit/agents-plugin-silero').then(async ({ VAD: SileroVAD }) => {
        const vad = await SileroVAD.load();
        vad.setMaxListeners(0);
        return vad;
      });
      return this.sileroVad;
    }
    if (!this.defaultVad) {
      this.defaultVad = new inference.VAD();
      // Every live session's activity listens for this VAD's metrics (and stops when it closes): more than ten
      // listeners is the normal state of a busy process, not a leak.
      this.defaultVad.setMaxListeners(0);
    }
    return Promise.resolve(this.defaultVad);
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
