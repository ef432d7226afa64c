import assert from 'node:assert/strict';
import { test } from 'node:test';
import { log } from '@livekit/agents';
import { initializeLibraryLogger, libraryLogLevel } from './library-logger.ts';

test('the library logs one step quieter than we do', () => {
  assert.equal(libraryLogLevel('info'), 'warn');
  assert.equal(libraryLogLevel('warn'), 'warn');
  assert.equal(libraryLogLevel('error'), 'error');
  assert.equal(libraryLogLevel('debug'), 'debug');
});

test('conversation text never reaches the logs unless we debug', () => {
  initializeLibraryLogger('info');
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    log().info({ 'lk.pii.message': 'We open at nine.' }, 'playout completed without interruption');
    log().warn({ 'lk.pii.user_input': 'my card number is 4111', speech_id: 'speech_1' }, 'skipping user input');
  } finally {
    process.stdout.write = write;
  }
  assert.equal(lines.length, 1, 'info lines are below the level');
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(line.msg, 'skipping user input');
  assert.equal(line.speech_id, 'speech_1');
  assert.equal('lk.pii.user_input' in line, false);
});
