import { SessionClient } from '../../../../sdk/session-client.ts';
import { errorMessage } from '../../api/api-error';
import { api, unwrap } from '../../api/client';
import { captureMicrophone, type MicrophoneCapture } from '../../audio/microphone-capture';
import { PlaybackQueue } from '../../audio/playback-queue';
import type { CallConnection, CallOptions } from './call-connection';

/** The AudioContext of a WebSocket call runs at the session's rate: no resampling of our own either way. */
export const WEBSOCKET_SAMPLE_RATE_HZ = 16000;

/** A WebSocket session: the microphone streamed in as PCM frames, the reply's PCM played out on the page's clock. */
export async function openWebSocketCall({ assistantId, microphone, context, dispatch }: CallOptions): Promise<CallConnection> {
  const playback = new PlaybackQueue(context);
  const session = await unwrap(
    api.POST('/v1/sessions', { body: { assistant_id: assistantId, transport: 'websocket', audio: { encoding: 'pcm_s16le', sample_rate_hz: WEBSOCKET_SAMPLE_RATE_HZ } } }),
  );
  if (!session.websocket) throw new Error('The API did not return WebSocket connection details.');
  dispatch({ type: 'session-created', sessionId: session.id });
  const streamUrl = new URL(session.websocket.url);
  const client = new SessionClient({ baseUrl: `${streamUrl.protocol}//${streamUrl.host}`, sessionId: session.id, token: session.websocket.token });
  let mic: MicrophoneCapture | undefined;

  // Microphone frames flow only while the session is live (not before it starts, not after it ends).
  let streaming = false;
  client.on('session.started', () => (streaming = true));
  client.on('session.ended', () => (streaming = false));
  client.on('assistant.audio.cleared', () => playback.clear());
  client.onEvent((event) => dispatch({ type: 'event', event }));
  client.onAudio((chunk) => {
    playback.enqueue(chunk);
    dispatch({ type: 'audio-received', seconds: playback.receivedS });
  });
  // The call hangs up (`close`) when it sees the connection closed.
  void client.closed.then(({ code, reason }) => {
    streaming = false;
    dispatch({ type: 'closed', clean: code === 1000, problem: reason ? `Connection closed (${code}): ${reason}` : undefined });
  });
  await client.opened;

  if (microphone) {
    try {
      mic = await captureMicrophone(context, (frame) => {
        if (streaming) client.sendAudio(new Uint8Array(frame));
      });
      dispatch({ type: 'microphone', state: 'on' });
    } catch (micError) {
      dispatch({ type: 'microphone', state: 'denied', error: `Microphone unavailable (${errorMessage(micError)}); you can still type.` });
    }
  }
  return {
    send(command) {
      client.sendRaw(JSON.stringify(command));
    },
    close() {
      mic?.stop();
      playback.clear();
      client.close();
    },
  };
}
