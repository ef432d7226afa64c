/** One figure of a page's row of headline numbers. */
export function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat card">
      <span className="muted small">{label}</span>
      <strong data-testid={testId}>{value}</strong>
    </div>
  );
}
