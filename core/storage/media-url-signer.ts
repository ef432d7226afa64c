import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Signed media URLs served by the api: `/media/{org}/{session}/{expires}/{signature}/{path}`. The signature is an
 * HMAC over the recording's storage prefix and the expiry, so it covers every file below that prefix: the relative
 * URIs inside a playlist resolve to URLs carrying the same valid signature, and no playlist needs rewriting.
 * Changing the organization, session or expiry invalidates it.
 */
export class MediaUrlSigner {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error('The media signing secret must be at least 32 bytes');
  }

  private signature(orgId: string, sessionId: string, expiresAtS: number): string {
    return createHmac('sha256', this.secret).update(`media:v1\n${orgId}\n${sessionId}\n${expiresAtS}`).digest('base64url');
  }

  /** The signed folder URL (ending in `/`); append a path below the recording folder. */
  signedBase(baseUrl: string, orgId: string, sessionId: string, expiresAtS: number): string {
    return `${baseUrl}/media/${orgId}/${sessionId}/${expiresAtS}/${this.signature(orgId, sessionId, expiresAtS)}/`;
  }

  verify(orgId: string, sessionId: string, expiresAtS: number, signature: string, nowS = Date.now() / 1000): 'ok' | 'expired' | 'invalid' {
    const expected = Buffer.from(this.signature(orgId, sessionId, expiresAtS));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return expiresAtS > nowS ? 'ok' : 'expired';
  }
}

/**
 * The configured secret, or (embedded deployments) one generated once into the data folder so URLs stay valid
 * across restarts. Several api processes must share ECHOSPHERE_MEDIA_SIGNING_SECRET.
 */
export function loadMediaSigningSecret(configured: Buffer | undefined, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, 'media-signing.key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  try {
    fs.writeFileSync(file, secret.toString('base64'), { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    throw error;
  }
}
