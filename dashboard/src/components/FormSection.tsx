import type { ReactNode } from 'react';
import { Card } from './Card';

/** One titled card of a form. */
export function FormSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card title={title} className="form-section">
      {children}
    </Card>
  );
}
