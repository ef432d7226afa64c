// The benchmark's judge model, run as a child process so its CPU time is not counted against the workers process:
// the OpenAI fake answering every structured-output request after a fixed delay (BENCH_JUDGE_DELAY_MS, default 200),
// with JSON sampled from the requested schema. Sends {baseUrl} to the parent over IPC once it listens.
import { startOpenAiFake } from '../../test/fakes/openai-fake.ts';

const fake = await startOpenAiFake(() => ({ text: 'unused' }), { structuredDelayMs: Number(process.env.BENCH_JUDGE_DELAY_MS ?? 200) });
process.send!({ baseUrl: fake.baseUrl });
process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
