import { PERSONA_TURN_NAME } from '../../workers/test-runs/persona-caller.ts';
import type { StructuredDecision } from '../fakes/openai-structured-outputs.ts';

/** A suite with one scenario of each kind: a scripted typed caller, a scripted speaking caller and a persona. */
export function bookingSuite() {
  const confirms = { kind: 'match', name: 'Confirms the booking', mode: 'contains', pattern: 'booked' };
  return {
    name: 'Bookings',
    scenarios: [
      {
        name: 'Books by typing',
        caller: { turns: ['I would like to book a table', 'Thank you'] },
        criteria: [confirms, { kind: 'metric', name: 'Caller spoke twice', metric: 'user_turns', operator: 'eq', threshold: 2 }],
      },
      { name: 'Books by voice', caller: { turns: ['I would like to book a table'] }, input: 'speech', criteria: [confirms] },
      {
        name: 'Hungry persona',
        caller: { persona: 'A hungry regular', goal: 'Book a table for Friday', max_turns: 3 },
        criteria: [{ kind: 'llm', name: 'Booking confirmed', question: 'Did the assistant confirm a booking?', scale: 'pass_fail' }],
      },
    ],
  };
}

/**
 * The OpenAI fake's structured answers: the persona asks for a table, then hangs up once the assistant answered; the
 * judge passes "Booking confirmed" (a pass_fail criterion: a boolean score) when the transcript it is given has the assistant saying "Booked".
 */
export function judgeAndPersona() {
  return (body: Record<string, any>): StructuredDecision => {
    const prompt = (body.messages as Array<{ content: string }>).map((message) => message.content).join('\n');
    if (body.response_format.json_schema.name === PERSONA_TURN_NAME) {
      const assistantAnswered = /Caller: .*\nAssistant: /s.test(prompt);
      return { json: assistantAnswered ? { say: '', hang_up: true } : { say: 'Can I book a table for Friday?', hang_up: false } };
    }
    return { json: { rationale: 'Read the transcript.', evidence_message_ids: [], score: /booked/i.test(prompt) } };
  };
}
