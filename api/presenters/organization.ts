import type { Transport } from '../../core/domain/session.ts';
import { effectiveSettings, type OrganizationRow } from '../../core/repositories/organizations.ts';

/** What the server adds to an organization: its defaults, and the session transports it offers. */
export interface OrganizationServerFacts {
  maxConcurrentSessions: number;
  transports: Transport[];
}

export function toPublicOrganization(row: OrganizationRow, server: OrganizationServerFacts) {
  return {
    id: row.id,
    object: 'organization' as const,
    name: row.name,
    settings: effectiveSettings(row, server),
    transports: server.transports,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
