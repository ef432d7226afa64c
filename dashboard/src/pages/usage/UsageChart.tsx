import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { Schemas } from '../../api/client';
import { ChartFrame } from '../../components/ChartFrame';

/** Cost (bars, USD) and session minutes (line) per UTC day. Numbers here are for drawing; the tables carry exact amounts. */
export default function UsageChart({ days }: { days: Schemas['UsageSummary']['data'] }) {
  const data = days.map((day) => ({ day: day.key, cost: Number(day.cost_usd), minutes: day.minutes }));
  return (
    <ChartFrame label="Cost and minutes per day" height={240} testId="usage-chart">
      <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
        <XAxis dataKey="day" tick={{ fontSize: 12 }} />
        <YAxis yAxisId="cost" unit=" $" width={72} tick={{ fontSize: 12 }} />
        <YAxis yAxisId="minutes" orientation="right" unit=" min" width={64} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar yAxisId="cost" dataKey="cost" name="Cost (USD)" fill="#6366f1" />
        <Line yAxisId="minutes" dataKey="minutes" name="Minutes" stroke="#0ea5e9" />
      </ComposedChart>
    </ChartFrame>
  );
}
