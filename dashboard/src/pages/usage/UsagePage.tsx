import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { Card } from '../../components/Card';
import { PageHeader } from '../../components/PageHeader';
import { ErrorState, Loading } from '../../components/States';
import { formatUsd } from './usd';

const UsageChart = lazy(() => import('./UsageChart'));
const DAY_MS = 86_400_000;

type Grouping = 'day' | 'assistant' | 'provider';

function useUsage(groupBy: Grouping, from: string) {
  return useQuery({
    queryKey: ['usage', groupBy, from],
    queryFn: () => unwrap(api.GET('/v1/usage', { params: { query: { group_by: groupBy, from } } })),
  });
}

/** Cost and minutes over the last 30 days, this month by assistant and provider against the limits, and billing. */
export default function UsagePage() {
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const thirtyDaysAgo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 29 * DAY_MS).toISOString();
  const days = useUsage('day', thirtyDaysAgo);
  const byAssistant = useUsage('assistant', monthStart);
  const byProvider = useUsage('provider', monthStart);
  const billing = useQuery({ queryKey: ['billing'], queryFn: () => unwrap(api.GET('/v1/billing')) });
  const assistants = useQuery({ queryKey: ['assistants', 'names'], queryFn: () => unwrap(api.GET('/v1/assistants', { params: { query: { limit: 100 } } })) });
  const names = new Map(assistants.data?.data.map((assistant) => [assistant.id, assistant.name]));

  const failed = [days, byAssistant, byProvider, billing].find((query) => query.isError);
  if (failed) return <ErrorState error={failed.error} retry={() => void failed.refetch()} />;
  if (!days.data || !byAssistant.data || !byProvider.data || !billing.data) return <Loading />;

  return (
    <>
      <PageHeader title="Usage" description="What sessions used and cost, from the prices in force when each ended. Days are UTC." />
      <MonthSoFar billing={billing.data} month={byProvider.data.total} />
      <Card title="Last 30 days">
        <p className="muted small">
          {days.data.total.sessions} sessions · {days.data.total.minutes} minutes · <span data-testid="usage-30-day-cost">{formatUsd(days.data.total.cost_usd)}</span>
        </p>
        <Suspense fallback={<Loading label="Loading chart…" />}>
          <UsageChart days={days.data.data} />
        </Suspense>
      </Card>
      <div className="usage-groups">
        <GroupTable title="This month by assistant" label="Usage by assistant" summary={byAssistant.data} keyLabel="Assistant" renderKey={(id) => (id ? <Link to={`/assistants/${id}`}>{names.get(id) ?? id}</Link> : '—')} />
        <GroupTable title="This month by provider" label="Usage by provider" summary={byProvider.data} keyLabel="Provider" renderKey={(provider) => provider ?? '—'} />
      </div>
    </>
  );
}

function MonthSoFar({ billing, month }: { billing: Schemas['Billing']; month: Schemas['UsageTotals'] }) {
  const { spend_limit_usd: spendLimit, minutes_limit: minutesLimit } = billing.month;
  const blocked = billing.status !== 'active';
  return (
    <div className="stats">
      <div className="stat card">
        <span className="muted small">Spent this month</span>
        <strong data-testid="month-cost">{formatUsd(billing.month.cost_usd)}</strong>
        <span className="muted small" data-testid="spend-limit">{spendLimit ? `of ${formatUsd(spendLimit)} limit` : 'no spend limit'}</span>
      </div>
      <div className="stat card">
        <span className="muted small">Minutes this month</span>
        <strong data-testid="month-minutes">{month.minutes}</strong>
        <span className="muted small" data-testid="minutes-limit">{minutesLimit ? `of ${minutesLimit} limit` : 'no minutes limit'}</span>
      </div>
      <div className="stat card">
        <span className="muted small">Sessions this month</span>
        <strong>{month.sessions}</strong>
      </div>
      <div className="stat card">
        <span className="muted small">Billing</span>
        <strong data-testid="billing-status" className={blocked ? 'inline-error' : undefined}>
          {billing.stripe_enabled ? billing.status.replace('_', ' ') : 'off'}
        </strong>
        {billing.portal_url ? (
          <a className="small" href={billing.portal_url} target="_blank" rel="noreferrer">Manage billing</a>
        ) : (
          <span className="muted small">{billing.stripe_enabled ? '' : 'Stripe is not configured on this server'}</span>
        )}
      </div>
    </div>
  );
}

function GroupTable(props: { title: string; label: string; keyLabel: string; summary: Schemas['UsageSummary']; renderKey: (key: string | null) => ReactNode }) {
  return (
    <section className="card table-card" aria-label={props.label}>
      <h2 className="table-title">{props.title}</h2>
      {props.summary.data.length === 0 ? (
        <p className="muted small table-title">No charged sessions yet this month.</p>
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{props.keyLabel}</th>
              <th>Sessions</th>
              <th>Minutes</th>
              <th>Tokens in / out</th>
              <th>TTS characters</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {props.summary.data.map((group) => (
              <tr key={group.key ?? '-'}>
                <td>{props.renderKey(group.key)}</td>
                <td>{group.sessions}</td>
                <td>{group.minutes}</td>
                <td>{group.llm_input_tokens} / {group.llm_output_tokens}</td>
                <td>{group.tts_characters}</td>
                <td>{formatUsd(group.cost_usd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
