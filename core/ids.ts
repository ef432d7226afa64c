import { randomBytes } from 'node:crypto';
import { sql, type Sql } from './db/sql.ts';

/**
 * Prefixed, time-sortable identifiers: `<prefix>_<10 chars of millisecond time><16 random chars>`,
 * Crockford base32 (ULID layout). Sorting ids sorts by creation time, which is what cursor pagination relies on.
 */
const ID_PREFIXES = {
  organization: 'org',
  apiKey: 'key',
  assistant: 'asst',
  session: 'sess',
  message: 'msg',
  recording: 'rec',
  evaluation: 'eval',
  webhookEndpoint: 'whep',
  webhookDelivery: 'whdl',
  event: 'evt',
  usageRecord: 'use',
  testSuite: 'tsuite',
  scenario: 'scen',
  callerClip: 'clip',
  testRun: 'trun',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte & 31]!;
  return out;
}

export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(nowMs)}${encodeRandom()}`;
}

/**
 * A new id as an SQL expression, for statements that create one row per row they match, where the ids cannot be
 * drawn here one by one: the time part is fixed now, the random part is drawn by the database for each row (16 hex
 * digits, hex being part of the id alphabet), so these ids sort and validate like any other.
 */
export function newIdSql(kind: IdKind, nowMs: number = Date.now()): Sql {
  return sql`(${`${ID_PREFIXES[kind]}_${encodeTime(nowMs)}`} || upper(substr(md5(gen_random_uuid()::text), 1, 16)))`;
}

export function isId(kind: IdKind, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && BODY.test(value.slice(prefix.length));
}
