import type { Schemas } from '../../api/client';
import { formatUsd } from '../usage/usd';

const ITEMS: Record<string, string> = {
  session: 'Platform (session time)',
  stt: 'Speech to text',
  llm_input: 'LLM input',
  llm_output: 'LLM output',
  tts: 'Text to speech',
};

/** The session's cost line by line, each with what was used and its price, so the total can be checked by hand. */
export function CostBreakdown({ cost, status }: { cost: Schemas['SessionCost'] | null; status: Schemas['Session']['status'] }) {
  if (!cost) return <p className="muted small">{status === 'created' || status === 'active' ? 'The cost is known when the session ends.' : 'Not charged: the session never connected.'}</p>;
  return (
    <div className="cost-breakdown">
      <table className="table compact" aria-label="Cost breakdown">
        <thead>
          <tr>
            <th>Item</th>
            <th>Used</th>
            <th>Price</th>
            <th>Cost</th>
          </tr>
        </thead>
        <tbody>
          {cost.breakdown.map((line) => (
            <tr key={`${line.provider}:${line.item}`}>
              <td>{ITEMS[line.item] ?? line.item} <span className="muted small">{line.provider}{line.model ? ` ${line.model}` : ''}</span></td>
              <td>{line.quantity} {line.unit}</td>
              <td>{formatUsd(line.unit_price_usd)} / {line.price_unit}</td>
              <td>{formatUsd(line.cost_usd)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row" colSpan={3}>Total</th>
            <td data-testid="session-cost-total"><strong>{formatUsd(cost.total_usd)}</strong></td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
