// m3u8-parser ships no type declarations; this is the part the tests use.
declare module 'm3u8-parser' {
  export class Parser {
    push(chunk: string): void;
    end(): void;
    manifest: unknown;
  }
}
