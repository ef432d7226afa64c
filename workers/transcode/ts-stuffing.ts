/**
 * MPEG-TS null packets (PID 0x1FFF), the standard's own stuffing: every demuxer drops them unread.
 *
 * A segment of silence is tiny (a silent AAC frame is 13 bytes, a second of it fits in five transport packets), and a
 * file that short is not recognised as MPEG-TS by probing players: ffmpeg's probe takes it for raw ADTS and fails
 * ("sample rate not set"), so a recording that starts with a silent second could neither be played through ffmpeg nor
 * remuxed into the download. Padding every segment to MIN_PACKETS makes the format unmistakable; segments with any
 * sound are far longer and are left as they are.
 */
const PACKET_BYTES = 188;
/** ffmpeg's probe is sure of MPEG-TS from ten packets' worth of 204-byte (FEC) packets on; a margin on top. */
const MIN_PACKETS = 12;

export function padTransportStream(segment: Buffer): Buffer {
  const packets = Math.floor(segment.length / PACKET_BYTES);
  if (packets >= MIN_PACKETS) return segment;
  return Buffer.concat([segment, ...Array.from({ length: MIN_PACKETS - packets }, nullPacket)]);
}

function nullPacket(): Buffer {
  const packet = Buffer.alloc(PACKET_BYTES, 0xff);
  // Sync byte, PID 0x1FFF, payload only, continuity counter 0 (ignored for null packets).
  packet.set([0x47, 0x1f, 0xff, 0x10]);
  return packet;
}
