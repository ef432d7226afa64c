import type { AudioDescription, Input, JobSettings, Output } from '@aws-sdk/client-mediaconvert';
import { RECORDING_CHANNELS, SEGMENT_DURATION_S } from '../../core/storage/recording-layout.ts';
import { DOWNLOAD_RENDITION, LADDER, type Rendition } from './ladder.ts';

const AUDIO_SELECTOR = 'Audio Selector 1';

/** Where MediaConvert writes, as s3:// destinations (a destination ends in the base name of the files it writes). */
export interface MediaConvertDestinations {
  /** HLS base: `…/index` → `index.m3u8`, `index_{rendition}.m3u8`, `index_{rendition}_00001.ts` … */
  hls: string;
  /** File base: `…/download` → `download.m4a`. */
  download: string;
}

/** The HLS name modifier of a rendition: MediaConvert appends it to the base name of its playlist and segments. */
export const nameModifierOf = (rendition: Rendition) => `_${rendition.name}`;

/**
 * One CreateJob's settings for the same ladder the ffmpeg engine builds: the recording's WAV chunks as inputs played
 * back to back, an HLS group of three audio-only AAC variants in MPEG-TS segments of 4 s, and a file group with the
 * top rendition as an MP4 (.m4a) download.
 */
export function mediaConvertJobSettings(inputUris: string[], destinations: MediaConvertDestinations): JobSettings {
  const inputs: Input[] = inputUris.map((fileInput) => ({
    FileInput: fileInput,
    AudioSelectors: { [AUDIO_SELECTOR]: { DefaultSelection: 'DEFAULT' } },
  }));
  const hlsOutputs: Output[] = LADDER.map((rendition) => ({
    NameModifier: nameModifierOf(rendition),
    ContainerSettings: { Container: 'M3U8', M3u8Settings: {} },
    OutputSettings: {
      // Audio-only variants (EXT-X-STREAM-INF), in TS segments like the ffmpeg engine's rather than raw AAC.
      HlsSettings: { AudioOnlyContainer: 'M2TS', AudioTrackType: 'AUDIO_ONLY_VARIANT_STREAM' },
    },
    AudioDescriptions: [aacDescription(rendition)],
  }));
  return {
    Inputs: inputs,
    OutputGroups: [
      {
        Name: 'HLS ladder',
        OutputGroupSettings: {
          Type: 'HLS_GROUP_SETTINGS',
          HlsGroupSettings: {
            Destination: destinations.hls,
            SegmentLength: Math.round(SEGMENT_DURATION_S),
            SegmentLengthControl: 'EXACT',
            MinSegmentLength: 0,
            DirectoryStructure: 'SINGLE_DIRECTORY',
            ManifestDurationFormat: 'FLOATING_POINT',
            OutputSelection: 'MANIFESTS_AND_SEGMENTS',
            SegmentControl: 'SEGMENTED_FILES',
            CodecSpecification: 'RFC_6381',
          },
        },
        Outputs: hlsOutputs,
      },
      {
        Name: 'Download',
        OutputGroupSettings: { Type: 'FILE_GROUP_SETTINGS', FileGroupSettings: { Destination: destinations.download } },
        Outputs: [
          {
            Extension: 'm4a',
            ContainerSettings: { Container: 'MP4', Mp4Settings: { MoovPlacement: 'PROGRESSIVE_DOWNLOAD' } },
            AudioDescriptions: [aacDescription(DOWNLOAD_RENDITION)],
          },
        ],
      },
    ],
  };
}

function aacDescription(rendition: Rendition): AudioDescription {
  const mono = rendition.channels === 1;
  return {
    AudioSourceName: AUDIO_SELECTOR,
    CodecSettings: {
      Codec: 'AAC',
      AacSettings: {
        Bitrate: rendition.bitrateBps,
        SampleRate: rendition.sampleRateHz,
        CodingMode: mono ? 'CODING_MODE_1_0' : 'CODING_MODE_2_0',
        CodecProfile: 'LC',
        RateControlMode: 'CBR',
        Specification: 'MPEG4',
        RawFormat: 'NONE',
      },
    },
    // The mono rendition mixes user (left) and assistant (right) at -6 dB each instead of dropping one side.
    ...(mono
      ? { RemixSettings: { ChannelsIn: RECORDING_CHANNELS, ChannelsOut: 1, ChannelMapping: { OutputChannels: [{ InputChannels: [-6, -6] }] } } }
      : {}),
  };
}
