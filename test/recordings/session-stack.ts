import WebSocket from 'ws';
import { SessionClient } from '../../sdk/session-client.ts';
import { resolveFfmpeg } from '../../workers/transcode/ffmpeg-binary.ts';
import { FfmpegTranscoder } from '../../workers/transcode/ffmpeg-transcoder.ts';
import { startTranscodeWorker } from '../../workers/transcode/transcode-worker.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { apiClient } from '../support/client.ts';
import { openMicrophone } from '../support/microphone.ts';
import { waitFor } from '../support/wait-for.ts';
import { chirp } from './support.ts';

export const WIRE_RATE_HZ = 16_000;
const REPLY_TEXT = 'We open at nine and close at five.';

/** An offline assistant: typed input, scripted replies, eSpeak voice. */
export const offlineAssistant = (overrides: Record<string, unknown> = {}) => ({
  name: 'Recorded',
  system_prompt: '',
  model: { provider: 'scripted', script: { rules: [{ pattern: 'open', reply: REPLY_TEXT }], default_reply: 'Okay.' } },
  voice: { provider: 'local', speed_wpm: 220 },
  transcriber: { provider: 'none' },
  ...overrides,
});

/** The api with its stream gateway, and a transcode worker on its job queue: what `echosphere start` runs. */
export async function startSessionStack() {
  const api = await startTestApi({ withStreamGateway: true });
  await startTranscodeWorker({
    db: api.db,
    queue: api.media.queue,
    transcoder: new FfmpegTranscoder({ ffmpeg: resolveFfmpeg(), storage: api.media.storage }),
    concurrency: 2,
  });
  const org = await api.createOrganization();
  const call = apiClient(api.baseUrl, org.secretKey);
  return { api, org, call, runSession: (assistantId: string) => runRecordedSession(api, call, assistantId) };
}

export interface RecordedSession {
  id: string;
  /** What the client's microphone sent, and when (epoch ms) its first sample went out. */
  userAudio: Int16Array;
  userSentAt: number;
  /** Assistant audio as the client played the frames it received, from when its first frame arrived. */
  assistantAudio: Int16Array;
  assistantReceivedAt: number;
}

/**
 * A session as a customer app runs it: the microphone streams (silence, then 1.5 s of speech-like audio), the user
 * types a question, the assistant's reply plays out, the app ends the session.
 */
async function runRecordedSession(api: TestApi, call: ReturnType<typeof apiClient>, assistantId: string): Promise<RecordedSession> {
  const created = await call('POST', '/v1/sessions', { assistant_id: assistantId });
  if (created.status !== 201) throw new Error(`session not created: ${JSON.stringify(created.body)}`);
  const client = new SessionClient({
    baseUrl: api.baseUrl.replace('http', 'ws'),
    sessionId: created.body.id,
    token: created.body.websocket.token,
    WebSocketImpl: WebSocket as never,
  });
  const received: { at: number; samples: Int16Array }[] = [];
  client.onAudio((bytes) => received.push({ at: Date.now(), samples: new Int16Array(bytes.slice().buffer) }));
  await client.waitFor('session.started', { timeoutMs: 30_000 });
  const microphone = openMicrophone(client);
  try {
    const userAudio = chirp(1.5, WIRE_RATE_HZ, 3);
    // The scenario's shape, not a wait for anything: 300 ms of microphone silence before the user speaks.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const userSentAt = Date.now();
    await microphone.say(userAudio);
    client.sendText('When are you open?');
    await client.waitFor('assistant.audio.done', { timeoutMs: 30_000 });
    // The app ends the call once the reply has played out: the client plays what it received after the last frame.
    const assistantReceivedAt = received[0]?.at ?? 0;
    const playedOutAt = assistantReceivedAt + (playbackTimeline(received, assistantReceivedAt).length / WIRE_RATE_HZ) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, playedOutAt - Date.now())));
    client.end();
    await client.closed;
    return { id: created.body.id, userAudio, userSentAt, assistantAudio: playbackTimeline(received, assistantReceivedAt), assistantReceivedAt };
  } finally {
    microphone.stop();
    client.close();
  }
}

/**
 * The client's playback of the frames it received: each plays when it arrived, or right after the previous one when
 * it arrived while that was still playing (a slow server leaves the same gaps the listener hears).
 */
function playbackTimeline(frames: { at: number; samples: Int16Array }[], startMs: number): Int16Array {
  const placed: { position: number; samples: Int16Array }[] = [];
  let end = 0;
  for (const frame of frames) {
    const arrival = Math.round(((frame.at - startMs) / 1000) * WIRE_RATE_HZ);
    const position = arrival - end > 0.04 * WIRE_RATE_HZ ? arrival : end;
    placed.push({ position, samples: frame.samples });
    end = position + frame.samples.length;
  }
  const timeline = new Int16Array(end);
  for (const frame of placed) timeline.set(frame.samples, frame.position);
  return timeline;
}

export function waitForRecording(call: ReturnType<typeof apiClient>, sessionId: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const response = await call('GET', `/v1/sessions/${sessionId}/recording`);
      return response.status === 200 && (response.body.status === 'ready' || response.body.status === 'failed') ? response.body : undefined;
    },
    `the recording of ${sessionId} to be ready or failed`,
    timeoutMs,
    200,
  );
}
