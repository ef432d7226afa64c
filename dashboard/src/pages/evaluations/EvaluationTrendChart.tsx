import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { Schemas } from '../../api/client';
import { ChartFrame } from '../../components/ChartFrame';

const COLORS = ['#0ea5e9', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#64748b'];
const percent = (value: number | null) => (value === null ? null : Math.round(value * 100));

/** Per bucket, the pass rate and each criterion's mean score (0-100 %); loaded on its own with recharts. */
export default function EvaluationTrendChart({ buckets }: { buckets: Schemas['EvaluationStatsBucket'][] }) {
  const criteria = [...new Set(buckets.flatMap((bucket) => bucket.criteria.map((criterion) => criterion.criterion)))];
  const data = buckets.map((bucket) => ({
    day: new Date(bucket.start).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
    pass_rate: percent(bucket.pass_rate),
    ...Object.fromEntries(bucket.criteria.map((criterion) => [criterion.criterion, percent(criterion.mean_score)])),
  }));
  return (
    <ChartFrame label="Pass rate and mean score per criterion over time" height={260}>
      <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
        <XAxis dataKey="day" tick={{ fontSize: 12 }} />
        <YAxis unit="%" domain={[0, 100]} width={48} tick={{ fontSize: 12 }} />
        <Tooltip formatter={(value) => `${value}%`} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line type="monotone" dataKey="pass_rate" name="Pass rate" stroke="#6366f1" strokeWidth={3} dot isAnimationActive={false} />
        {criteria.map((criterion, index) => (
          <Line key={criterion} type="monotone" dataKey={criterion} name={criterion} stroke={COLORS[index % COLORS.length]} dot isAnimationActive={false} connectNulls />
        ))}
      </LineChart>
    </ChartFrame>
  );
}
