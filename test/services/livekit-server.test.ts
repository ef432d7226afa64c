// The LiveKit server built by scripts/test-services.sh is the real thing: its room API answers livekit-server-sdk,
// and WebRTC media flows between two @livekit/rtc-node participants through it on this machine.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { AudioFrame, AudioSource, AudioStream, LocalAudioTrack, Room, RoomEvent, TrackPublishOptions, TrackSource, dispose, type RemoteTrack } from '@livekit/rtc-node';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { liveKitTestServer } from '../support/services.ts';

const { service: server, skip } = liveKitTestServer();
const SAMPLE_RATE_HZ = 48_000;
const FRAME_SAMPLES = SAMPLE_RATE_HZ / 100; // 10 ms

after(async () => {
  if (!skip) await dispose();
});

async function joinToken(room: string, identity: string): Promise<string> {
  const token = new AccessToken(server!.apiKey, server!.apiSecret, { identity, ttl: '5m' });
  token.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true });
  return token.toJwt();
}

/** A 440 Hz tone, 10 ms at a time. */
function toneFrame(index: number): AudioFrame {
  const samples = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) {
    samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (index * FRAME_SAMPLES + i)) / SAMPLE_RATE_HZ));
  }
  return new AudioFrame(samples, SAMPLE_RATE_HZ, 1, FRAME_SAMPLES);
}

test('RoomServiceClient creates, lists and deletes a room on the LiveKit server', { skip }, async () => {
  const rooms = new RoomServiceClient(server!.url, server!.apiKey, server!.apiSecret);
  const name = `smoke-${randomUUID()}`;
  const created = await rooms.createRoom({ name, emptyTimeout: 30, maxParticipants: 2, metadata: '{"purpose":"smoke"}' });
  assert.equal(created.name, name);
  assert.equal(created.maxParticipants, 2);
  const listed = await rooms.listRooms([name]);
  assert.deepEqual(listed.map((room) => [room.name, room.metadata]), [[name, '{"purpose":"smoke"}']]);
  await rooms.deleteRoom(name);
  assert.deepEqual(await rooms.listRooms([name]), []);
});

test('audio published by one participant reaches another through the server', { skip, timeout: 60_000 }, async () => {
  const name = `media-${randomUUID()}`;
  // The server makes no room on join (room.auto_create is off, as EchoSphere asks of it): create it first.
  await new RoomServiceClient(server!.url, server!.apiKey, server!.apiSecret).createRoom({ name, emptyTimeout: 30 });
  const speaker = new Room();
  const listener = new Room();
  try {
    await listener.connect(server!.wsUrl, await joinToken(name, 'listener'), { autoSubscribe: true, dynacast: false });
    const subscribed = new Promise<RemoteTrack>((resolve) => listener.on(RoomEvent.TrackSubscribed, (track) => resolve(track)));

    await speaker.connect(server!.wsUrl, await joinToken(name, 'speaker'), { autoSubscribe: true, dynacast: false });
    const source = new AudioSource(SAMPLE_RATE_HZ, 1);
    const track = LocalAudioTrack.createAudioTrack('tone', source);
    await speaker.localParticipant!.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));

    let speaking = true;
    const toneSent = (async () => {
      for (let index = 0; speaking; index++) await source.captureFrame(toneFrame(index));
    })();

    const remote = await subscribed;
    let frames = 0;
    let loudFrames = 0;
    for await (const frame of new AudioStream(remote, { sampleRate: SAMPLE_RATE_HZ, numChannels: 1 })) {
      frames++;
      const peak = frame.data.reduce((max, sample) => Math.max(max, Math.abs(sample)), 0);
      if (peak > 4000) loudFrames++;
      if (loudFrames >= 100) break; // a second of the tone, decoded on the far side
    }
    speaking = false;
    await toneSent;
    assert.ok(loudFrames >= 100, `heard ${loudFrames} loud frames of ${frames}`);
  } finally {
    await speaker.disconnect();
    await listener.disconnect();
  }
});
