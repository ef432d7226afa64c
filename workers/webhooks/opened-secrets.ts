import type { SecretBox } from '../../core/crypto/secret-box.ts';

/**
 * Opened signing secrets, keyed by their sealed form. Opening (AES-GCM) on every attempt was a large share of the
 * deliverer's CPU; a sealed value always opens to the same secret, so a rotation or a new endpoint simply brings a new
 * key, and old entries go when the map is full.
 */
export class OpenedSecrets {
  private readonly opened = new Map<string, string>();

  constructor(
    private readonly secretBox: SecretBox,
    private readonly maxEntries = 10_000,
  ) {}

  open(sealed: string): string {
    let secret = this.opened.get(sealed);
    if (secret === undefined) {
      secret = this.secretBox.open(sealed);
      if (this.opened.size >= this.maxEntries) this.opened.clear();
      this.opened.set(sealed, secret);
    }
    return secret;
  }
}
