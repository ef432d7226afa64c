import { RunHistory } from './RunHistory';

/** The assistant page's run history: every suite run against it, newest first. */
export default function AssistantTestRuns({ assistantId }: { assistantId: string }) {
  return (
    <section className="card" aria-labelledby="assistant-test-runs-heading" data-testid="assistant-test-runs">
      <h2 id="assistant-test-runs-heading">Test runs</h2>
      <RunHistory filter={{ assistant_id: assistantId }} />
    </section>
  );
}
