import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionLimits } from './session-limits.ts';

test('max_duration_s ends the session at its time, whatever happens in it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  const ended: string[] = [];
  const limits = new SessionLimits((reason) => ended.push(reason));
  limits.arm({ max_duration_s: 60, silence_timeout_s: null });
  t.mock.timers.tick(59_000);
  limits.activity();
  assert.deepEqual(ended, []);
  t.mock.timers.tick(1000);
  assert.deepEqual(ended, ['max-duration']);
});

test('silence_timeout_s counts only while the agent waits for a silent user', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  const ended: string[] = [];
  const limits = new SessionLimits((reason) => ended.push(reason));
  limits.arm({ max_duration_s: null, silence_timeout_s: 10 });
  // The agent speaks for 20 s: that is not the user's silence.
  limits.agentState = 'speaking';
  t.mock.timers.tick(20_000);
  assert.deepEqual(ended, []);
  limits.agentState = 'listening';
  // The user speaks (no words yet) for a while: not silence either.
  limits.userSpeaking = true;
  t.mock.timers.tick(15_000);
  assert.deepEqual(ended, []);
  limits.userSpeaking = false;
  t.mock.timers.tick(9000);
  limits.activity();
  t.mock.timers.tick(9750);
  assert.deepEqual(ended, []);
  t.mock.timers.tick(250);
  assert.deepEqual(ended, ['silence-timeout']);
});

test('cleared limits never fire', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  const ended: string[] = [];
  const limits = new SessionLimits((reason) => ended.push(reason));
  limits.arm({ max_duration_s: 5, silence_timeout_s: 1 });
  limits.agentState = 'idle';
  limits.clear();
  t.mock.timers.tick(60_000);
  assert.deepEqual(ended, []);
});
