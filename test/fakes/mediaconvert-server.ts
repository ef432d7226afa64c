import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../workers/transcode/ffmpeg-binary.ts';
import type { FakeS3 } from './s3-server.ts';
import { closeServer, listenOnLoopback } from '../support/loopback-server.ts';

/**
 * AWS Elemental MediaConvert's REST/JSON API (restJson1, the lowerCamel wire names the SDK v3 client serialises),
 * enough for audio-only jobs: `POST /2017-08-29/jobs` (CreateJob, idempotent per clientRequestToken),
 * `GET /2017-08-29/jobs/{id}` (GetJob), `GET /2017-08-29/jobs` (ListJobs: order, queue, status, maxResults,
 * nextToken). SigV4 is required to be present but not verified.
 *
 * A job really produces what its settings describe: it reads its `s3://` inputs from the S3 fake's store, plays them
 * back to back, and runs ffmpeg for each output (HLS group: AAC in MPEG-TS segments named like MediaConvert's,
 * `{base}{nameModifier}.m3u8`, `{base}{nameModifier}_00001.ts`, plus a master `{base}.m3u8`; file group: MP4 at
 * `{base}{nameModifier}.{extension}`), then writes them back to the store. Status goes SUBMITTED → PROGRESSING →
 * COMPLETE, or ERROR with MediaConvert's error codes (1010 unreadable input, 1999 encoder failure). Settings this
 * fake does not understand are refused with BadRequestException, as MediaConvert refuses invalid ones.
 */
export interface FakeMediaConvert {
  endpoint: string;
  jobs: Map<string, FakeJob>;
  /** CreateJob requests received (including ones answered from the client request token). */
  createJobRequests: number;
  /** While true, jobs stay PROGRESSING without encoding, so a test can retry against a running job. */
  hold: boolean;
  release(): void;
  close(): Promise<void>;
}

type JobStatus = 'SUBMITTED' | 'PROGRESSING' | 'COMPLETE' | 'ERROR' | 'CANCELED';

interface FakeJob {
  id: string;
  arn: string;
  status: JobStatus;
  role: string;
  queue: string;
  settings: WireSettings;
  userMetadata: Record<string, string>;
  clientRequestToken?: string;
  createdAt: number;
  errorCode?: number;
  errorMessage?: string;
  outputGroupDetails?: { outputDetails: { durationInMs: number }[] }[];
  timing: { submitTime: number; startTime?: number; finishTime?: number };
}

/* The parts of the wire shape the fake reads. */
interface WireAac {
  bitrate?: number;
  sampleRate?: number;
  codingMode?: string;
  codecProfile?: string;
}
interface WireAudioDescription {
  codecSettings?: { codec?: string; aacSettings?: WireAac };
  remixSettings?: { channelsIn?: number; channelsOut?: number; channelMapping?: { outputChannels?: { inputChannels?: number[] }[] } };
}
interface WireOutput {
  nameModifier?: string;
  extension?: string;
  containerSettings?: { container?: string };
  outputSettings?: { hlsSettings?: { audioOnlyContainer?: string } };
  audioDescriptions?: WireAudioDescription[];
  videoDescription?: unknown;
}
interface WireOutputGroup {
  outputGroupSettings?: {
    type?: string;
    hlsGroupSettings?: { destination?: string; segmentLength?: number };
    fileGroupSettings?: { destination?: string };
  };
  outputs?: WireOutput[];
}
interface WireSettings {
  inputs?: { fileInput?: string }[];
  outputGroups?: WireOutputGroup[];
}

const AAC_BITRATES = new Set([6000, 8000, 10000, 12000, 14000, 16000, 20000, 24000, 28000, 32000, 40000, 48000, 56000, 64000, 80000, 96000, 112000, 128000, 160000, 192000, 224000, 256000, 288000, 320000, 384000, 448000, 512000, 576000, 640000, 768000, 896000, 1024000]);
const AAC_SAMPLE_RATES = new Set([8000, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000]);
const CODING_MODE_CHANNELS: Record<string, number> = { CODING_MODE_1_0: 1, CODING_MODE_2_0: 2 };
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

class BadRequest extends Error {}

export async function startFakeMediaConvert(options: { s3: FakeS3; ffmpeg: string }): Promise<FakeMediaConvert> {
  const jobs = new Map<string, FakeJob>();
  const byToken = new Map<string, string>();
  const held: (() => void)[] = [];
  const running = new Set<Promise<void>>();
  const state = { createJobRequests: 0, hold: false };

  const s3Object = (uri: string) => {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!match) throw new BadRequest(`${uri} is not an s3:// URI`);
    return { id: `${match[1]}/${match[2]}` };
  };
  const putObject = (uri: string, body: Buffer, contentType: string) => {
    options.s3.objects.set(s3Object(uri).id, { body, contentType, etag: `"${createHash('md5').update(body).digest('hex')}"` });
  };

  async function run(job: FakeJob): Promise<void> {
    if (state.hold) await new Promise<void>((resolve) => held.push(resolve));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fake-mediaconvert-'));
    try {
      const inputFiles: string[] = [];
      let inputMs = 0;
      for (const [index, input] of (job.settings.inputs ?? []).entries()) {
        const object = options.s3.objects.get(s3Object(input.fileInput!).id);
        if (!object) return fail(job, 1010, `Unable to open input file [${input.fileInput}]: [Failed probe/open: [No such file or directory]]`);
        const file = path.join(dir, `input-${index}`);
        await fs.writeFile(file, object.body);
        inputMs += wavDurationMs(object.body);
        inputFiles.push(file);
      }
      const list = path.join(dir, 'inputs.txt');
      await fs.writeFile(list, inputFiles.map((file) => `file '${file}'`).join('\n'));
      const source = ['-f', 'concat', '-safe', '0', '-i', list];
      const details: NonNullable<FakeJob['outputGroupDetails']> = [];
      for (const [groupIndex, group] of (job.settings.outputGroups ?? []).entries()) {
        const settings = group.outputGroupSettings!;
        const groupDetails: { durationInMs: number }[] = [];
        if (settings.type === 'HLS_GROUP_SETTINGS') {
          const destination = settings.hlsGroupSettings!.destination!;
          const base = path.posix.basename(destination);
          const out = path.join(dir, `group-${groupIndex}`);
          await fs.mkdir(out);
          const variants: string[] = [];
          for (const output of group.outputs ?? []) {
            const name = `${base}${output.nameModifier ?? ''}`;
            const audio = output.audioDescriptions![0]!;
            await runFfmpeg(options.ffmpeg, [
              ...source, ...encodeArgs(audio),
              '-f', 'hls', '-hls_time', String(settings.hlsGroupSettings!.segmentLength ?? 10), '-hls_playlist_type', 'vod',
              '-start_number', '1', '-hls_segment_filename', path.join(out, `${name}_%05d.ts`), path.join(out, `${name}.m3u8`),
            ]);
            const playlist = await fs.readFile(path.join(out, `${name}.m3u8`), 'utf8');
            const durationS = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
            groupDetails.push({ durationInMs: Math.round(durationS * 1000) });
            const aac = audio.codecSettings!.aacSettings!;
            variants.push(`#EXT-X-STREAM-INF:BANDWIDTH=${aac.bitrate},CODECS="mp4a.40.2"`, `${name}.m3u8`);
          }
          await fs.writeFile(path.join(out, `${base}.m3u8`), ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS', ...variants, ''].join('\n'));
          const folder = destination.slice(0, destination.length - base.length);
          for (const file of await fs.readdir(out)) {
            putObject(folder + file, await fs.readFile(path.join(out, file)), file.endsWith('.ts') ? 'video/MP2T' : 'application/vnd.apple.mpegurl');
          }
        } else {
          const destination = settings.fileGroupSettings!.destination!;
          for (const [outputIndex, output] of (group.outputs ?? []).entries()) {
            const file = path.join(dir, `file-${groupIndex}-${outputIndex}.mp4`);
            await runFfmpeg(options.ffmpeg, [...source, ...encodeArgs(output.audioDescriptions![0]!), '-movflags', '+faststart', '-f', 'mp4', file]);
            putObject(`${destination}${output.nameModifier ?? ''}.${output.extension ?? 'mp4'}`, await fs.readFile(file), 'audio/mp4');
            groupDetails.push({ durationInMs: Math.round(inputMs) });
          }
        }
        details.push({ outputDetails: groupDetails });
      }
      job.outputGroupDetails = details;
      job.status = 'COMPLETE';
      job.timing.finishTime = Date.now() / 1000;
    } catch (error) {
      fail(job, 1999, `Encoder failure: ${(error as Error).message}`);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  function fail(job: FakeJob, code: number, message: string): void {
    job.status = 'ERROR';
    job.errorCode = code;
    job.errorMessage = message;
    job.timing.finishTime = Date.now() / 1000;
  }

  function createJob(body: Record<string, unknown>): FakeJob {
    const token = typeof body.clientRequestToken === 'string' ? body.clientRequestToken : undefined;
    const existing = token ? jobs.get(byToken.get(token) ?? '') : undefined;
    if (existing) return existing;
    if (typeof body.role !== 'string' || !body.role.startsWith('arn:')) throw new BadRequest('/role: a valid IAM role ARN is required');
    const settings = body.settings as WireSettings | undefined;
    validateSettings(settings);
    const id = `${Date.now()}-${randomBytes(3).toString('hex')}`;
    const now = Date.now() / 1000;
    const job: FakeJob = {
      id,
      arn: `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:jobs/${id}`,
      status: 'SUBMITTED',
      role: body.role,
      queue: typeof body.queue === 'string' ? body.queue : `arn:aws:mediaconvert:${REGION}:${ACCOUNT}:queues/Default`,
      settings: settings!,
      userMetadata: (body.userMetadata as Record<string, string> | undefined) ?? {},
      ...(token ? { clientRequestToken: token } : {}),
      createdAt: now,
      timing: { submitTime: now },
    };
    jobs.set(id, job);
    if (token) byToken.set(token, id);
    // The service accepts the job first and starts it a moment later.
    setImmediate(() => {
      job.status = 'PROGRESSING';
      job.timing.startTime = Date.now() / 1000;
      const work = run(job).finally(() => running.delete(work));
      running.add(work);
    });
    return job;
  }

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, payload: unknown, errorType?: string) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-requestid': randomBytes(8).toString('hex'),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    try {
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) return send(403, { message: 'Missing Authentication Token' }, 'ForbiddenException');
      const url = new URL(req.url ?? '/', 'http://mediaconvert.local');
      if (req.method === 'POST' && url.pathname === '/2017-08-29/jobs') {
        state.createJobRequests++;
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        return send(201, { job: toWire(createJob(body)) });
      }
      const one = /^\/2017-08-29\/jobs\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && one) {
        const job = jobs.get(decodeURIComponent(one[1]!));
        if (!job) return send(404, { message: `Job ${one[1]} not found` }, 'NotFoundException');
        return send(200, { job: toWire(job) });
      }
      if (req.method === 'GET' && url.pathname === '/2017-08-29/jobs') {
        const q = url.searchParams;
        const maxResults = Math.min(20, Number(q.get('maxResults') ?? 20));
        const ascending = q.get('order') === 'ASCENDING';
        const matching = [...jobs.values()]
          .filter((job) => (!q.get('queue') || job.queue === q.get('queue')) && (!q.get('status') || job.status === q.get('status')))
          .sort((a, b) => (ascending ? a.createdAt - b.createdAt : b.createdAt - a.createdAt) || (a.id < b.id === ascending ? -1 : 1));
        const start = Number(q.get('nextToken') ?? 0);
        const page = matching.slice(start, start + maxResults);
        const more = start + maxResults < matching.length;
        return send(200, { jobs: page.map(toWire), ...(more ? { nextToken: String(start + maxResults) } : {}) });
      }
      return send(404, { message: `No route for ${req.method} ${url.pathname}` }, 'NotFoundException');
    } catch (error) {
      if (error instanceof BadRequest || error instanceof SyntaxError) return send(400, { message: error.message }, 'BadRequestException');
      return send(500, { message: String(error) }, 'InternalServerErrorException');
    }
  });
  const port = await listenOnLoopback(server);
  const release = () => {
    state.hold = false;
    for (const resume of held.splice(0)) resume();
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    jobs,
    get createJobRequests() {
      return state.createJobRequests;
    },
    get hold() {
      return state.hold;
    },
    set hold(value: boolean) {
      state.hold = value;
    },
    release,
    async close() {
      release();
      await Promise.allSettled([...running]);
      await closeServer(server);
    },
  };
}

function toWire(job: FakeJob) {
  return {
    id: job.id,
    arn: job.arn,
    status: job.status,
    role: job.role,
    queue: job.queue,
    settings: job.settings,
    userMetadata: job.userMetadata,
    createdAt: job.createdAt,
    timing: job.timing,
    jobPercentComplete: job.status === 'COMPLETE' ? 100 : 0,
    ...(job.clientRequestToken ? { clientRequestToken: job.clientRequestToken } : {}),
    ...(job.errorCode ? { errorCode: job.errorCode, errorMessage: job.errorMessage } : {}),
    ...(job.outputGroupDetails ? { outputGroupDetails: job.outputGroupDetails } : {}),
  };
}

/** What MediaConvert would refuse at CreateJob, for the audio-only subset this fake encodes. */
function validateSettings(settings: WireSettings | undefined): void {
  if (!settings?.inputs?.length) throw new BadRequest('/settings/inputs: at least one input is required');
  if (settings.inputs.length > 150) throw new BadRequest('/settings/inputs: a job takes at most 150 inputs');
  for (const input of settings.inputs) if (!input.fileInput?.startsWith('s3://')) throw new BadRequest('/settings/inputs/fileInput: must be an s3:// URI');
  if (!settings.outputGroups?.length) throw new BadRequest('/settings/outputGroups: at least one output group is required');
  for (const group of settings.outputGroups) {
    const type = group.outputGroupSettings?.type;
    const destination =
      type === 'HLS_GROUP_SETTINGS' ? group.outputGroupSettings?.hlsGroupSettings?.destination
      : type === 'FILE_GROUP_SETTINGS' ? group.outputGroupSettings?.fileGroupSettings?.destination
      : undefined;
    if (!type || (type !== 'HLS_GROUP_SETTINGS' && type !== 'FILE_GROUP_SETTINGS')) throw new BadRequest(`/settings/outputGroups/type: ${type ?? 'missing'} is not supported`);
    if (!destination?.startsWith('s3://')) throw new BadRequest('/settings/outputGroups/destination: must be an s3:// URI');
    if (!group.outputs?.length) throw new BadRequest('/settings/outputGroups/outputs: at least one output is required');
    const modifiers = new Set<string>();
    for (const output of group.outputs) {
      if (output.videoDescription) throw new BadRequest('/outputs/videoDescription: this fake encodes audio only');
      if (type === 'HLS_GROUP_SETTINGS') {
        if (output.containerSettings?.container !== 'M3U8') throw new BadRequest('/outputs/containerSettings/container: HLS outputs use M3U8');
        if (output.outputSettings?.hlsSettings?.audioOnlyContainer !== 'M2TS') throw new BadRequest('/outputs/outputSettings/hlsSettings/audioOnlyContainer: this fake writes M2TS only');
        if (!output.nameModifier || modifiers.has(output.nameModifier)) throw new BadRequest('/outputs/nameModifier: required and unique within an HLS group');
        modifiers.add(output.nameModifier);
      } else if (output.containerSettings?.container !== 'MP4') throw new BadRequest('/outputs/containerSettings/container: this fake writes MP4 files only');
      if (output.audioDescriptions?.length !== 1) throw new BadRequest('/outputs/audioDescriptions: exactly one audio description per output');
      const audio = output.audioDescriptions[0]!;
      const aac = audio.codecSettings?.aacSettings;
      if (audio.codecSettings?.codec !== 'AAC' || !aac) throw new BadRequest('/audioDescriptions/codecSettings/codec: this fake encodes AAC only');
      if (!AAC_BITRATES.has(aac.bitrate ?? 0)) throw new BadRequest(`/aacSettings/bitrate: ${aac.bitrate} is not a valid AAC bitrate`);
      if (!AAC_SAMPLE_RATES.has(aac.sampleRate ?? 0)) throw new BadRequest(`/aacSettings/sampleRate: ${aac.sampleRate} is not valid`);
      const channels = CODING_MODE_CHANNELS[aac.codingMode ?? ''];
      if (!channels) throw new BadRequest(`/aacSettings/codingMode: ${aac.codingMode} is not supported`);
      const remix = audio.remixSettings;
      if (remix && (remix.channelsOut !== channels || remix.channelMapping?.outputChannels?.length !== channels)) {
        throw new BadRequest('/remixSettings: channelsOut and the channel mapping must match the coding mode');
      }
    }
  }
}

/** ffmpeg options for one audio description: AAC at its bitrate, rate and channels, remixed as its mapping says. */
function encodeArgs(audio: WireAudioDescription): string[] {
  const aac = audio.codecSettings!.aacSettings!;
  const channels = CODING_MODE_CHANNELS[aac.codingMode!]!;
  const mapping = audio.remixSettings?.channelMapping?.outputChannels;
  // Gains are in dB per input channel (-60 mutes it), as in MediaConvert's channel mapping.
  const pan = mapping
    ? `pan=${channels === 1 ? 'mono' : 'stereo'}|${mapping
        .map((out, index) => `c${index}=${(out.inputChannels ?? []).map((db, input) => `${db <= -60 ? 0 : 10 ** (db / 20)}*c${input}`).join('+')}`)
        .join('|')}`
    : undefined;
  return [
    '-map', '0:a', ...(pan ? ['-af', pan] : []), '-c:a', 'aac', '-b:a', String(aac.bitrate), '-ar', String(aac.sampleRate), '-ac', String(channels),
  ];
}

/** Duration of a PCM WAV from its header (byte rate) and its data chunk. */
function wavDurationMs(wav: Buffer): number {
  const byteRate = wav.readUInt32LE(28);
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const size = wav.readUInt32LE(offset + 4);
    if (wav.toString('ascii', offset, offset + 4) === 'data') return (Math.min(size, wav.length - offset - 8) / byteRate) * 1000;
    offset += 8 + size + (size % 2);
  }
  return 0;
}
