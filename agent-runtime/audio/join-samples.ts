/** Consecutive pieces of PCM as one array (the piece itself when there is only one). */
export function joinSamples(pieces: readonly Int16Array[]): Int16Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Int16Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
