import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { log } from '@livekit/agents';
import winston from 'winston';
import { initializeLibraryLogger, libraryLogLevel } from './library-logger.ts';

test('the library logs one step quieter than we do', () => {
  assert.equal(libraryLogLevel('info'), 'warn');
  assert.equal(libraryLogLevel('warn'), 'warn');
  assert.equal(libraryLogLevel('error'), 'error');
  assert.equal(libraryLogLevel('debug'), 'debug');
});

test("the library's lines go through our logger, without conversation text unless we debug", () => {
  const lines: Record<string, unknown>[] = [];
  const collect = new winston.transports.Stream({
    stream: new Writable({
      objectMode: true,
      write(info: Record<string, unknown>, _encoding, done) {
        lines.push(info);
        done();
      },
    }),
  });
  initializeLibraryLogger(winston.createLogger({ level: 'info', transports: [collect] }));
  log().info({ 'lk.pii.message': 'We open at nine.' }, 'playout completed without interruption');
  log().child({ speech_id: 'speech_1' }).warn({ 'lk.pii.user_input': 'my card number is 4111' }, 'skipping user input');
  assert.equal(lines.length, 1, 'info lines are below the level');
  assert.equal(lines[0]!.level, 'warn');
  assert.equal(lines[0]!.message, 'skipping user input');
  assert.equal(lines[0]!.source, 'livekit-agents');
  assert.equal(lines[0]!.speech_id, 'speech_1');
  assert.equal('lk.pii.user_input' in lines[0]!, false);
});
