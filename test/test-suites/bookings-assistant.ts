/** The scripted model of the bookings assistant: `reply` when the caller asks about a table, goodbye to anything else. */
export const bookingScript = (reply: string) => ({ provider: 'scripted', script: { rules: [{ pattern: 'table|book', reply }], default_reply: 'Goodbye!' } });

/**
 * Bella Pasta's bookings assistant, as POST /v1/assistants takes it: it greets, and books a table for four on Friday
 * when asked. `more` adds fields or replaces them.
 */
export function bookingsAssistant(more: Record<string, unknown> = {}) {
  return {
    name: 'Bookings',
    first_message: 'Hello, Bella Pasta.',
    model: bookingScript('Booked: a table for four on Friday.'),
    voice: { provider: 'local', voice_id: 'en-us', speed_wpm: 450 },
    ...more,
  };
}
