import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analysisConfig } from '../../core/evaluations/analysis-config.ts';
import type { EvaluatedSession, TranscriptMessage } from './evaluated-session.ts';
import { evaluateSession } from './run-evaluation.ts';

const message = (id: string, role: TranscriptMessage['role'], text: string, start_ms: number, extra: Partial<TranscriptMessage> = {}): TranscriptMessage => ({
  id,
  role,
  text,
  start_ms,
  end_ms: start_ms + 1000,
  interrupted: false,
  tool_calls: null,
  metrics: null,
  ...extra,
});

const session: EvaluatedSession = {
  id: 'sess_x',
  endedReason: 'assistant-ended',
  durationMs: 42_000,
  latency: { turns: 2, p50_ms: 700, p95_ms: 1400, end_of_turn_delay_ms: null, stt_delay_ms: null, llm_ttft_ms: null, tts_ttfb_ms: null },
  messages: [
    message('msg_1', 'assistant', 'Hello, Bella Pasta, how can I help?', 0),
    message('msg_2', 'user', 'I would like a table for four on Friday.', 1500),
    message('msg_3', 'assistant', 'Booked for four on Friday. Anything else?', 5500, { interrupted: true, metrics: { e2e_ms: 1400 } }),
    message('msg_4', 'assistant', '', 6000, { tool_calls: [{ name: 'book_table' }] }),
    message('msg_5', 'user', 'No thanks, bye.', 9000),
  ],
};

const noJudge = async () => ({ skipped: 'No judge model: no key.' });

test('without a judge, metric and match criteria score with evidence and llm parts are skipped with the reason', async () => {
  const analysis = await analysisConfig.parseAsync({
    summary: {},
    structured_data: { schema: { type: 'object', additionalProperties: false, required: ['party_size'], properties: { party_size: { type: 'integer' } } } },
    scorecard: {
      criteria: [
        { kind: 'llm', name: 'Confirmed', question: 'Did the assistant confirm the booking?' },
        { kind: 'metric', name: 'Fast', metric: 'latency_p95_ms', operator: 'lt', threshold: 1200 },
        { kind: 'metric', name: 'Booked', metric: 'tool_called', operator: 'eq', threshold: true, tool: 'book_table' },
        { kind: 'metric', name: 'Silence', metric: 'longest_silence_ms', operator: 'lte', threshold: 3000 },
        { kind: 'metric', name: 'Interrupted', metric: 'interruptions', operator: 'eq', threshold: 0 },
        { kind: 'match', name: 'Greets', mode: 'regex', pattern: '^hello\\b' },
        { kind: 'match', name: 'No swearing', role: 'any', mode: 'not_contains', pattern: 'damn' },
      ],
    },
  });
  const outcome = await evaluateSession(analysis, session, noJudge);
  assert.equal(outcome.status, 'completed');
  assert.equal(outcome.skipped_reason, 'No judge model: no key.');
  assert.equal(outcome.summary, null);
  assert.equal(outcome.judge, null);
  const byName = Object.fromEntries(outcome.scores.map((score) => [score.criterion, score]));
  assert.deepEqual(byName.Confirmed, {
    criterion: 'Confirmed', kind: 'llm', status: 'skipped', score: null, scale: 'pass_fail', passed: null, rationale: 'No judge model: no key.', evidence: [],
  });
  assert.equal(byName.Fast!.passed, false);
  assert.match(byName.Fast!.rationale, /latency_p95_ms was 1400; the criterion is lt 1200: failed/);
  assert.deepEqual(byName.Fast!.evidence, [{ message_id: 'msg_3', start_ms: 5500 }]);
  assert.deepEqual([byName.Booked!.passed, byName.Booked!.evidence], [true, [{ message_id: 'msg_4', start_ms: 6000 }]]);
  // The caller stops at 2500 and the assistant answers at 5500 (longer than the 2500 before the goodbye).
  assert.deepEqual([byName.Silence!.passed, byName.Silence!.rationale.startsWith('longest_silence_ms was 3000'), byName.Silence!.evidence[0]?.message_id], [true, true, 'msg_3']);
  assert.deepEqual([byName.Interrupted!.passed, byName.Interrupted!.evidence[0]?.message_id], [false, 'msg_3']);
  assert.deepEqual([byName.Greets!.passed, byName.Greets!.evidence], [true, [{ message_id: 'msg_1', start_ms: 0 }]]);
  assert.deepEqual([byName['No swearing']!.passed, byName['No swearing']!.rationale], [true, 'No message contains "damn" (4 searched).']);
  // Six scored criteria, four passed; without a threshold every scored one must pass.
  assert.equal(outcome.overall_score, 0.6667);
  assert.equal(outcome.passed, false);
});

test('a pass threshold decides on the overall score; nothing scoreable is skipped, not failed', async () => {
  const analysis = await analysisConfig.parseAsync({
    scorecard: {
      criteria: [
        { kind: 'match', name: 'Greets', mode: 'contains', pattern: 'hello' },
        { kind: 'match', name: 'Says goodbye', mode: 'contains', pattern: 'goodbye' },
      ],
      pass_threshold: 0.5,
    },
  });
  const outcome = await evaluateSession(analysis, session, noJudge);
  assert.deepEqual([outcome.status, outcome.overall_score, outcome.passed], ['completed', 0.5, true]);

  const judgeOnly = await analysisConfig.parseAsync({ summary: {} });
  const skipped = await evaluateSession(judgeOnly, session, noJudge);
  assert.deepEqual([skipped.status, skipped.skipped_reason, skipped.overall_score, skipped.passed], ['skipped', 'No judge model: no key.', null, null]);
});
