#!/usr/bin/env node
// The `local-models-pull` service of docker/compose.yaml: asks Ollama to download the LLM and Speaches the
// transcription model, then exits (0 when both are there). Both calls are idempotent: a model already downloaded is
// found and kept. Kokoro ships its voices in its image and needs nothing.
const ollamaUrl = process.env.OLLAMA_URL ?? 'http://ollama:11434';
const speachesUrl = process.env.SPEACHES_URL ?? 'http://speaches:8000';
const llmModel = process.env.LOCAL_LLM_MODEL ?? 'qwen2.5:3b';
const sttModel = process.env.LOCAL_STT_MODEL ?? 'Systran/faster-distil-whisper-small.en';
// The servers may still be starting: keep asking until they answer, for this long.
const startupWaitMs = Number(process.env.STARTUP_WAIT_MS ?? 120_000);

async function untilReachable(name, request) {
  const deadline = Date.now() + startupWaitMs;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      const reason = error.cause?.message ?? error.message;
      if (Date.now() > deadline) throw new Error(`${name} did not answer: ${reason}`);
      console.log(`${name} does not answer yet (${reason}): asking again in 2 s.`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function expectOk(name, response) {
  if (!response.ok) throw new Error(`${name} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
}

try {
  // Ollama: POST /api/pull downloads the model (without streaming, the answer comes once it is complete).
  const pull = await untilReachable('Ollama', () =>
    fetch(`${ollamaUrl}/api/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: llmModel, stream: false }) }),
  );
  await expectOk(`Ollama (pulling ${llmModel})`, pull);
  console.log(`Ollama has ${llmModel}.`);

  // Speaches: POST /v1/models/{id} downloads a model from its hub (201), or finds it already there (200).
  const download = await untilReachable('Speaches', () => fetch(`${speachesUrl}/v1/models/${sttModel}`, { method: 'POST' }));
  await expectOk(`Speaches (downloading ${sttModel})`, download);
  console.log(`Speaches has ${sttModel}.`);
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
}
