/**
 * npm run bench:transcode — time from session end to ABR-playable, and encode speed, for 1, 10 and 60-minute
 * sessions of synthesised speech-like audio (local storage, the ffmpeg engine, one segment job lane per CPU).
 *
 * "Progressive" is how EchoSphere runs: segments are encoded during the session, so at the end only the last
 * segment, the playlists and the download remain. "At end" encodes everything after the session (no progressive
 * jobs, e.g. the worker was down) using every CPU in parallel. Pass minutes as arguments to choose sessions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Recorder } from '../agent-runtime/recording/recorder.ts';
import { LocalStorage } from '../core/storage/local-storage.ts';
import { recordingKeys } from '../core/storage/recording-layout.ts';
import { resolveFfmpeg } from '../workers/transcode/ffmpeg-binary.ts';
import { FfmpegTranscoder } from '../workers/transcode/ffmpeg-transcoder.ts';
import { deletePrefix } from '../core/storage/object-storage.ts';

const RATE = 16_000;
const minutesList = process.argv.slice(2).map(Number).filter((n) => n > 0);
const sessions = minutesList.length > 0 ? minutesList : [1, 10, 60];
const lanes = Math.max(1, os.availableParallelism());
const ffmpeg = resolveFfmpeg(process.env.ECHOSPHERE_FFMPEG_PATH);
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'echosphere-bench-'));
const storage = new LocalStorage(folder);
const transcoder = new FfmpegTranscoder({ ffmpeg, storage, concurrency: lanes });

function speech(seconds: number, seed: number): Int16Array {
  const out = new Int16Array(Math.round(seconds * RATE));
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    phase += (2 * Math.PI * (250 + 180 * Math.sin(2 * Math.PI * (0.9 + seed * 0.2) * t))) / RATE;
    out[i] = Math.round(8000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t)) * Math.sin(phase));
  }
  return out;
}

/** Writes a conversation of `minutes` (alternating 6 s turns) into a recorder in 20 ms frames. */
function writeConversation(recorder: Recorder, minutes: number): void {
  const turn = speech(6, 1);
  const reply = speech(6, 2);
  const frame = RATE / 50;
  for (let start = 0; start < minutes * 60_000; start += 12_000) {
    for (let offset = 0; offset < turn.length; offset += frame) {
      const at = start + (offset / RATE) * 1000;
      if (at < minutes * 60_000) recorder.writeUser(turn.subarray(offset, offset + frame), at);
      if (at + 6_000 < minutes * 60_000) recorder.writeAssistant(reply.subarray(offset, offset + frame), at + 6_000);
    }
  }
}

async function progressive(minutes: number) {
  const prefix = `orgs/bench/sessions/progressive_${minutes}/recording/`;
  const pending: number[] = [];
  const recorder = new Recorder({ storage, prefix, sampleRateHz: RATE, onChunkStored: (seq) => seq >= 1 && pending.push(seq - 1) });
  let encodeMs = 0;
  let encoded = 0;
  writeConversation(recorder, minutes);
  // Stand-in for the session's duration: let the segment jobs drain, as they do while a real session runs.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const seq = pending.shift();
      if (seq === undefined) return;
      await transcoder.encodeSegmentEarly(prefix, seq);
      encoded++;
    }
  };
  await Promise.all(Array.from({ length: lanes }, worker));
  encodeMs = performance.now() - started;
  const end = performance.now();
  await recorder.finish(minutes * 60_000);
  await transcoder.finalize(prefix);
  const playableMs = performance.now() - end;
  await deletePrefix(storage, prefix);
  return { playableMs, speed: (encoded * 4.096) / (encodeMs / 1000) };
}

async function atEnd(minutes: number) {
  const prefix = `orgs/bench/sessions/at_end_${minutes}/recording/`;
  const recorder = new Recorder({ storage, prefix, sampleRateHz: RATE });
  writeConversation(recorder, minutes);
  const end = performance.now();
  await recorder.finish(minutes * 60_000);
  await transcoder.finalize(prefix);
  const playableMs = performance.now() - end;
  const segments = (await storage.list(recordingKeys(prefix).chunks)).length;
  await deletePrefix(storage, prefix);
  return { playableMs, speed: (minutes * 60) / (playableMs / 1000), segments };
}

console.log(`ffmpeg: ${ffmpeg}; ${lanes} encode lanes (CPUs: ${os.cpus().length}, ${os.cpus()[0]?.model ?? 'unknown'})`);
const rows: string[] = [];
for (const minutes of sessions) {
  const p = await progressive(minutes);
  const a = minutes <= 10 ? await atEnd(minutes) : undefined;
  rows.push(
    `| ${minutes} min | ${(p.playableMs / 1000).toFixed(2)} s | ${p.playableMs <= 2000 ? 'yes' : 'no'} | ${p.speed.toFixed(1)}x | ${a ? `${(a.playableMs / 1000).toFixed(1)} s (${a.speed.toFixed(1)}x)` : 'not run'} |`,
  );
  console.log(rows[rows.length - 1]);
}
console.log('\n| session | end → ABR playable (progressive) | within 2 s | encode speed, 3 renditions | end → playable, all encoded at end |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
fs.rmSync(folder, { recursive: true, force: true });
