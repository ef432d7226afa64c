/**
 * The longest text one eSpeak call takes. A call's heap use barely depends on its text (~0.6–2.3 MB per call,
 * measured over every voice), but the text itself is copied into the engine's fixed 50 MB heap, and a long call holds
 * its worker for everyone else (about 1 s per 1,000 characters): longer text is spoken in pieces.
 */
export const ESPEAK_MAX_CHARS = 1000;

/** `text` in pieces of at most `maxChars`, cut after the last whitespace that fits (mid-word only when none does). */
export function splitForEspeak(text: string, maxChars = ESPEAK_MAX_CHARS): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars + 1);
    const lastSpace = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\n'), window.lastIndexOf('\t'));
    const cut = lastSpace > 0 ? lastSpace : maxChars;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
