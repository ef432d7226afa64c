import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, errorMessage } from '../../api/api-error';
import { api, unwrap, type Schemas } from '../../api/client';
import { formatClock, formatDateTime } from '../../components/format';
import { Empty, ErrorState, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';

type Evaluation = Schemas['SessionEvaluation'];

const unfinished = (status: string | undefined) => status === 'pending' || status === 'running';

/**
 * A session's evaluation: the outcome, the summary and extracted data, and every score with its rationale. A score's
 * evidence is a moment of the conversation: clicking it seeks the recording and the transcript there.
 */
export function EvaluationPanel({ session, onSeek }: { session: Schemas['Session']; onSeek: (ms: number) => void }) {
  const id = session.id;
  const queryClient = useQueryClient();
  const evaluation = useQuery({
    queryKey: ['session', id, 'evaluation'],
    queryFn: () => unwrap(api.GET('/v1/sessions/{id}/evaluation', { params: { path: { id } } })),
    enabled: session.evaluation !== null,
    refetchInterval: (query) => (unfinished(query.state.data?.status) ? 2000 : false),
  });
  const rerun = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/sessions/{id}/evaluation', { params: { path: { id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['session', id] });
    },
  });
  const ended = session.status === 'ended' || session.status === 'failed';
  const rerunButton = ended && (
    <button type="button" className="button small" onClick={() => rerun.mutate()} disabled={rerun.isPending || unfinished(evaluation.data?.status)}>
      {rerun.isPending ? 'Queuing…' : 'Re-run'}
    </button>
  );

  let body;
  if (session.evaluation === null && !rerun.data) {
    body = <Empty title={ended ? 'This session was not evaluated.' : 'The session is evaluated once it ends.'}>Add analysis settings to the assistant, then re-run.</Empty>;
  } else if (evaluation.isPending) body = <Loading label="Loading evaluation…" />;
  else if (evaluation.isError) {
    body = evaluation.error instanceof ApiError && evaluation.error.status === 404 ? <Empty title="No evaluation yet." /> : <ErrorState error={evaluation.error} retry={() => void evaluation.refetch()} />;
  } else body = <EvaluationResult evaluation={evaluation.data} onSeek={onSeek} />;

  return (
    <section className="card" aria-labelledby="evaluation-heading" data-testid="evaluation">
      <div className="card-heading">
        <h2 id="evaluation-heading">Evaluation</h2>
        {rerunButton}
      </div>
      {rerun.isError && <p className="inline-error" role="alert">{errorMessage(rerun.error)}</p>}
      {body}
    </section>
  );
}

function EvaluationResult({ evaluation, onSeek }: { evaluation: Evaluation; onSeek: (ms: number) => void }) {
  if (unfinished(evaluation.status)) return <Loading label="Evaluating…" />;
  return (
    <>
      <div className="evaluation-outcome">
        <StatusBadge status={evaluation.status} />
        {evaluation.passed !== null && <span className={`badge ${evaluation.passed ? 'success' : 'danger'}`} data-testid="evaluation-passed">{evaluation.passed ? 'passed' : 'not passed'}</span>}
        {evaluation.overall_score !== null && <strong data-testid="overall-score">{Math.round(evaluation.overall_score * 100)}%</strong>}
        <span className="muted small">{formatDateTime(evaluation.completed_at)}{evaluation.history.length > 0 && ` · ${evaluation.history.length} earlier run${evaluation.history.length > 1 ? 's' : ''}`}</span>
      </div>
      {evaluation.error && <p className="inline-error" role="alert">{evaluation.error}</p>}
      {evaluation.skipped_reason && <p className="muted small">{evaluation.skipped_reason}</p>}
      {evaluation.summary && <p className="evaluation-summary">{evaluation.summary}</p>}
      <ScoreList scores={evaluation.scores} onSeek={onSeek} />
      {evaluation.structured_data && (
        <details>
          <summary>Structured data</summary>
          <pre className="code-block" data-testid="structured-data">{JSON.stringify(evaluation.structured_data, null, 2)}</pre>
        </details>
      )}
      {evaluation.judge && (
        <p className="muted small">
          Judged by {evaluation.judge.model} ({evaluation.judge.prompt_version}){evaluation.usage && ` · ${evaluation.usage.prompt_tokens + evaluation.usage.completion_tokens} tokens`}
        </p>
      )}
    </>
  );
}

function scoreLabel(score: Schemas['CriterionScore']): string {
  if (score.score === null) return 'skipped';
  if (score.scale === 'pass_fail') return score.passed ? 'pass' : 'fail';
  return `${score.score} / ${score.scale === '1-5' ? 5 : 10}`;
}

/** Every score with its rationale; with `onSeek`, each piece of evidence is a button that plays that moment. */
export function ScoreList({ scores, onSeek }: { scores: Schemas['CriterionScore'][]; onSeek?: (ms: number) => void }) {
  return (
    <ol className="scores" aria-label="Scores">
      {scores.map((score) => (
        <ScoreItem key={score.criterion} score={score} onSeek={onSeek} />
      ))}
    </ol>
  );
}

function ScoreItem({ score, onSeek }: { score: Schemas['CriterionScore']; onSeek?: (ms: number) => void }) {
  const tone = score.passed === null ? 'neutral' : score.passed ? 'success' : 'danger';
  return (
    <li className="score" data-criterion={score.criterion}>
      <div className="score-head">
        <strong>{score.criterion}</strong>
        <span className="muted small">{score.kind}</span>
        <span className={`badge ${tone}`}>{scoreLabel(score)}</span>
      </div>
      <p className="score-rationale">{score.rationale}</p>
      {onSeek && score.evidence.length > 0 && (
        <div className="evidence" aria-label={`Evidence for ${score.criterion}`}>
          {score.evidence.map((evidence) => (
            <button
              key={evidence.message_id}
              type="button"
              className="button small evidence-button"
              disabled={evidence.start_ms === null}
              data-message-id={evidence.message_id}
              onClick={() => evidence.start_ms !== null && onSeek(evidence.start_ms)}
              title="Play the recording from this moment"
            >
              ▶ {evidence.start_ms === null ? 'message' : formatClock(evidence.start_ms)}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}
