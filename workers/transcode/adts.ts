/** Splits an ADTS stream (raw AAC with 7- or 9-byte headers) into its frames. */
export function adtsFrames(stream: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  while (offset + 7 <= stream.length) {
    if (stream[offset] !== 0xff || (stream[offset + 1]! & 0xf6) !== 0xf0) throw new Error(`ADTS sync lost at byte ${offset}`);
    const length = ((stream[offset + 3]! & 0x03) << 11) | (stream[offset + 4]! << 3) | (stream[offset + 5]! >> 5);
    if (length < 7 || offset + length > stream.length) throw new Error(`Truncated ADTS frame at byte ${offset}`);
    frames.push(stream.subarray(offset, offset + length));
    offset += length;
  }
  return frames;
}
