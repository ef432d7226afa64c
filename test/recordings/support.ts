import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SecretBox } from '../../core/crypto/secret-box.ts';
import type { Database } from '../../core/db/database.ts';
import { newId } from '../../core/ids.ts';
import { createOrganization } from '../../core/repositories/organizations.ts';
import { createRecording, type RecordingRow } from '../../core/repositories/recordings.ts';
import { RECORDING_CHANNELS, RECORDING_SAMPLE_RATE_HZ, recordingPrefix } from '../../core/storage/recording-layout.ts';

export function temporaryFolder(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `echosphere-${label}-`));
}

export async function insertOrganization(db: Database, name = 'Recording test org'): Promise<string> {
  const org = await db.system((trx) => createOrganization(trx, new SecretBox(randomBytes(32)), name));
  return org.id;
}

/** A session row as the sessions api would create it (only what recordings need). */
export async function insertSession(db: Database, orgId: string, status: 'active' | 'ended' = 'active'): Promise<string> {
  const id = newId('session');
  await db.tenant(orgId, (trx) =>
    trx('sessions').insert({
      id,
      org_id: orgId,
      assistant_id: newId('assistant'),
      assistant: JSON.stringify({ name: 'test' }),
      transport: 'websocket',
      status,
      audio: JSON.stringify({ encoding: 'pcm_s16le', sample_rate_hz: 16000 }),
      ...(status === 'ended' ? { started_at: new Date(), ended_at: new Date() } : {}),
    }),
  );
  return id;
}

/** An organization, an ended session and its recording row, as a session leaves them for the transcoder. */
export async function insertEndedSessionRecording(db: Database): Promise<{ orgId: string; sessionId: string; prefix: string; row: RecordingRow }> {
  const orgId = await insertOrganization(db);
  const sessionId = await insertSession(db, orgId, 'ended');
  const prefix = recordingPrefix(orgId, sessionId);
  const row = await db.tenant(orgId, (trx) =>
    createRecording(trx, { orgId, sessionId, prefix, sampleRateHz: RECORDING_SAMPLE_RATE_HZ, channels: RECORDING_CHANNELS }),
  );
  return { orgId, sessionId, prefix, row };
}

/** Speech-like test audio: a chirp whose pitch and loudness keep changing, so correlation has one clear peak. */
export function chirp(seconds: number, sampleRateHz: number, seed = 1): Int16Array {
  const out = new Int16Array(Math.round(seconds * sampleRateHz));
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / sampleRateHz;
    const frequency = 300 + 200 * Math.sin(2 * Math.PI * (0.7 + seed * 0.13) * t) + 150 * Math.sin(2 * Math.PI * 3.1 * t);
    phase += (2 * Math.PI * frequency) / sampleRateHz;
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * (2.3 + seed * 0.4) * t);
    out[i] = Math.round(9000 * envelope * Math.sin(phase));
  }
  return out;
}

/** Feeds `pcm` to `write` in 20 ms frames starting at `startMs`, as a transport would. */
export function feed(write: (pcm: Int16Array, atMs: number) => void, pcm: Int16Array, startMs: number, sampleRateHz: number): void {
  const frame = Math.round(sampleRateHz / 50);
  for (let offset = 0; offset < pcm.length; offset += frame) {
    write(pcm.subarray(offset, Math.min(pcm.length, offset + frame)), startMs + (offset / sampleRateHz) * 1000);
  }
}

/**
 * The lag (in samples of `signal`) at which `reference` best matches, searching `from`..`to`, with the normalised
 * correlation there (1 = identical shape).
 */
export function bestMatch(signal: Float64Array, reference: Float64Array, from: number, to: number): { lag: number; score: number } {
  let best = { lag: -1, score: -Infinity };
  const refEnergy = Math.sqrt(reference.reduce((sum, v) => sum + v * v, 0));
  for (let lag = Math.max(0, from); lag <= Math.min(to, signal.length - reference.length); lag++) {
    let dot = 0;
    let energy = 0;
    for (let i = 0; i < reference.length; i++) {
      const s = signal[lag + i]!;
      dot += s * reference[i]!;
      energy += s * s;
    }
    const score = energy > 0 ? dot / (Math.sqrt(energy) * refEnergy) : 0;
    if (score > best.score) best = { lag, score };
  }
  return best;
}

export function channel(interleaved: Int16Array, index: 0 | 1): Float64Array {
  const out = new Float64Array(interleaved.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = interleaved[i * 2 + index]!;
  return out;
}

/** Linear resample of a reference to the recording rate, so shapes can be compared sample for sample. */
export function resample(pcm: Int16Array, fromHz: number, toHz: number): Float64Array {
  const out = new Float64Array(Math.floor((pcm.length * toHz) / fromHz));
  for (let i = 0; i < out.length; i++) {
    const position = (i * fromHz) / toHz;
    const index = Math.floor(position);
    const a = pcm[index] ?? 0;
    const b = pcm[Math.min(index + 1, pcm.length - 1)] ?? 0;
    out[i] = a + (b - a) * (position - index);
  }
  return out;
}

export function rms(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]! ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}
