/**
 * The offline suite `echosphere test run` is tested with, remotely and on its embedded server: a scripted caller books
 * a table with a scripted assistant on the local voice, scored by a match and a metric criterion. `pattern` is what the
 * match looks for in the assistant's replies: "booked" passes, anything the script never says fails.
 */
export const OFFLINE_ASSISTANT = {
  name: 'Bookings',
  model: { provider: 'scripted', script: { rules: [{ pattern: 'table', reply: 'Booked: a table for four on Friday.' }], default_reply: 'Goodbye!' } },
  voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 450 },
};

export function offlineSuite(pattern: string) {
  return {
    name: 'Offline bookings',
    scenarios: [
      {
        name: 'Books a table',
        caller: { turns: ['I would like to book a table', 'Thanks'] },
        criteria: [
          { kind: 'match', name: 'Confirms the booking', mode: 'contains', pattern },
          { kind: 'metric', name: 'Two caller turns', metric: 'user_turns', operator: 'eq', threshold: 2 },
        ],
      },
    ],
  };
}
