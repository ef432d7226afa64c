import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { Schemas } from '../../api/client';
import { ChartFrame } from '../../components/ChartFrame';

/**
 * Per assistant turn, the reply's delay split into its stages, stacked so the bar's height is the end-to-end time:
 * waiting for the end of the turn, the LLM's first token, the TTS's first audio, and the platform's share (the rest).
 */
export default function LatencyChart({ messages }: { messages: Schemas['Message'][] }) {
  const data = messages
    .filter((message) => message.role === 'assistant' && message.metrics)
    .map((message, index) => {
      const metrics = message.metrics!;
      const endOfTurn = metrics.end_of_turn_delay_ms ?? 0;
      const llm = metrics.llm_ttft_ms ?? 0;
      const tts = metrics.tts_ttfb_ms ?? 0;
      const e2e = metrics.e2e_ms ?? endOfTurn + llm + tts;
      return { turn: `Turn ${index + 1}`, endOfTurn, llm, tts, platform: Math.max(0, e2e - endOfTurn - llm - tts) };
    });
  if (data.length === 0) return <p className="muted small">No assistant turns with latency measurements.</p>;
  return (
    <ChartFrame label="Latency per turn, stacked by stage" height={220}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
        <XAxis dataKey="turn" tick={{ fontSize: 12 }} />
        <YAxis unit=" ms" width={64} tick={{ fontSize: 12 }} />
        <Tooltip formatter={(value) => `${Math.round(Number(value))} ms`} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="endOfTurn" name="End of turn" stackId="latency" fill="#a5b4fc" />
        <Bar dataKey="llm" name="LLM first token" stackId="latency" fill="#6366f1" />
        <Bar dataKey="tts" name="TTS first audio" stackId="latency" fill="#0ea5e9" />
        <Bar dataKey="platform" name="Platform" stackId="latency" fill="#94a3b8" />
      </BarChart>
    </ChartFrame>
  );
}
