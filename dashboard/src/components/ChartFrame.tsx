import type { ReactElement } from 'react';
import { ResponsiveContainer } from 'recharts';

/**
 * The box a chart is drawn in: as wide as its card, at a fixed height. Screen readers meet the drawing as one image
 * named by the label rather than as hundreds of SVG shapes.
 */
export function ChartFrame({ label, height, testId, children }: { label: string; height: number; testId?: string; children: ReactElement }) {
  return (
    <div className="chart" role="img" aria-label={label} data-testid={testId}>
      <ResponsiveContainer width="100%" height={height}>
        {children}
      </ResponsiveContainer>
    </div>
  );
}
