// Loaded only when a WebRTC test call starts: livekit-client stays out of the dashboard's other chunks.
import { DisconnectReason, Room, RoomEvent, Track, type RemoteTrack } from 'livekit-client';
import { COMMANDS_TOPIC, EVENTS_TOPIC } from '../../../../agent-runtime/livekit/data-topics.ts';
import type { ServerEvent } from '../../../../sdk/session-client.ts';
import { errorMessage } from '../../api/api-error';
import { api, unwrap } from '../../api/client';
import { meterAudible } from '../../audio/audible-meter';
import type { PcmCapture } from '../../audio/pcm-capture';
import type { CallConnection, CallOptions } from './call-connection';

/**
 * A LiveKit session (docs/livekit.md): the page joins the session's room with the customer token, publishes the
 * microphone, plays the agent's track, and exchanges the session protocol's JSON on the room's data topics.
 */
export async function openLiveKitCall({ assistantId, microphone, context, dispatch }: CallOptions): Promise<CallConnection> {
  const session = await unwrap(api.POST('/v1/sessions', { body: { assistant_id: assistantId, transport: 'livekit' } }));
  if (!session.livekit) throw new Error('The API did not return LiveKit connection details.');
  dispatch({ type: 'session-created', sessionId: session.id });

  const room = new Room();
  const meters: PcmCapture[] = [];
  let audibleS = 0;
  let sessionEnded = false;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    for (const meter of meters) meter.stop();
    void room.disconnect();
  };

  // The microphone is published once the session has started (the agent listens from then on), as a WebSocket call
  // streams it only while the session is live.
  const publishMicrophone = async () => {
    try {
      await room.localParticipant.setMicrophoneEnabled(true, { echoCancellation: true, noiseSuppression: true, autoGainControl: true });
      dispatch({ type: 'microphone', state: 'on' });
    } catch (micError) {
      dispatch({ type: 'microphone', state: 'denied', error: `Microphone unavailable (${errorMessage(micError)}); you can still type.` });
    }
  };
  let joined: Promise<void> = Promise.resolve();

  room.on(RoomEvent.DataReceived, (payload, _participant, _kind, topic) => {
    if (topic !== EVENTS_TOPIC) return;
    const event = JSON.parse(new TextDecoder().decode(payload)) as ServerEvent;
    dispatch({ type: 'event', event });
    if (event.type === 'session.started' && microphone) void joined.then(publishMicrophone, () => {});
    // The last event: the page leaves (the agent deletes the room once the session is stored).
    if (event.type === 'session.ended') {
      sessionEnded = true;
      void room.disconnect();
    }
  });
  room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
    if (track.kind !== Track.Kind.Audio) return;
    // Playing it through a media element is also what lets Chromium hand a remote track's samples to Web Audio.
    track.attach();
    void meterAudible(context, new MediaStream([track.mediaStreamTrack]), (seconds) => {
      audibleS += seconds;
      dispatch({ type: 'audio-received', seconds: audibleS });
    })
      .then((meter) => (released ? meter.stop() : meters.push(meter)))
      // The agent is still heard; only the page's count of it is missing.
      .catch(() => {});
  });
  room.on(RoomEvent.TrackUnsubscribed, (track: RemoteTrack) => void track.detach());
  // Leaving after `session.ended`, or the room going away; the call then hangs up.
  room.on(RoomEvent.Disconnected, (reason) => {
    const clean = sessionEnded || reason === DisconnectReason.CLIENT_INITIATED;
    dispatch({ type: 'closed', clean, problem: `Disconnected from the room (${reason === undefined ? 'unknown reason' : DisconnectReason[reason]})` });
  });

  joined = room.connect(session.livekit.url, session.livekit.token);
  try {
    await joined;
  } catch (connectError) {
    release();
    throw new Error(`Could not join the LiveKit room at ${session.livekit.url}: ${errorMessage(connectError)}`);
  }
  return {
    send(command) {
      room.localParticipant
        .publishData(new TextEncoder().encode(JSON.stringify(command)), { reliable: true, topic: COMMANDS_TOPIC })
        .catch((sendError: unknown) => dispatch({ type: 'event', event: { type: 'error', code: 'send_failed', message: errorMessage(sendError) } }));
    },
    close: release,
  };
}
