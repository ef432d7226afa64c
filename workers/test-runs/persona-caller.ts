import type { PersonaCaller } from '../../core/test-suites/scenario-config.ts';
import type { Judge } from '../evaluations/judge/judge-client.ts';
import type { HeardLine } from './conversation-watch.ts';

/** What the persona says next, and whether it hangs up. */
export interface PersonaTurn {
  say: string;
  hang_up: boolean;
}

const PERSONA_TURN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['say', 'hang_up'],
  properties: {
    say: { type: 'string', description: 'What the caller says next, as spoken words; empty when hanging up without a word.' },
    hang_up: { type: 'boolean', description: 'True once the goal is met or the call cannot get further.' },
  },
} as const;

/**
 * The structured-output name persona requests carry (a model server can tell them from the judge's).
 * @internal exported for its tests
 */
export const PERSONA_TURN_NAME = 'caller_turn';

/**
 * A persona caller's next line, from an OpenAI-compatible model asked with structured outputs (the assistant's
 * evaluation judge, through the same client and retries). The model plays the caller; the call so far is given as a
 * transcript in which it is "Caller".
 */
export async function nextPersonaTurn(model: Judge, caller: PersonaCaller, heard: HeardLine[]): Promise<PersonaTurn> {
  const transcript = heard.map((line) => `${line.role === 'user' ? 'Caller' : 'Assistant'}: ${line.text}`).join('\n') || '(nobody has spoken yet)';
  const answer = (await model.ask(PERSONA_TURN_NAME, PERSONA_TURN_SCHEMA, [
    {
      role: 'system',
      content: [
        'You play a caller phoning a voice assistant, to test it. Stay in character; never say you are an AI or a test.',
        `Who you are: ${caller.persona}`,
        `What you want from the call: ${caller.goal}`,
        'Answer with the caller\'s next words only, short and spoken (one or two sentences), in "say". Set "hang_up" to true once your goal is met or the assistant cannot help further.',
      ].join('\n'),
    },
    { role: 'user', content: `The call so far:\n${transcript}\n\nWhat does the caller say next?` },
  ])) as PersonaTurn;
  return { say: answer.say.trim(), hang_up: answer.hang_up };
}
