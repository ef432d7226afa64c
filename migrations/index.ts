import type { Knex } from 'knex';
import * as platformSchema from './001_platform_schema.ts';
import * as webhooks from './002_webhooks.ts';
import * as recordings from './003_recordings.ts';
import * as deliveryEventIndex from './004_delivery_event_index.ts';
import * as liveSessionCount from './005_live_session_count.ts';
import * as tenantRolesWithoutInheritance from './006_tenant_roles_without_inheritance.ts';
import * as apiKeyPlaintextShown from './007_api_key_plaintext_shown.ts';
import * as recordingSkipped from './008_recording_skipped.ts';
import * as rateLimitWindows from './009_rate_limit_windows.ts';
import * as evaluations from './010_evaluations.ts';
import * as billing from './011_billing.ts';
import * as liveKitAgents from './012_livekit_agents.ts';
import * as apiKeyExpiry from './013_api_key_expiry.ts';
import * as testSuites from './014_test_suites.ts';
import * as sessionSlotsAgentStreams from './015_session_slots_agent_streams.ts';
import * as testRunLeases from './016_test_run_leases.ts';

/** Migrations in order. Listed explicitly so they load the same way under every runtime and bundler. */
const migrations: Record<string, Knex.Migration> = {
  '001_platform_schema': platformSchema,
  '002_webhooks': webhooks,
  '003_recordings': recordings,
  '004_delivery_event_index': deliveryEventIndex,
  '005_live_session_count': liveSessionCount,
  '006_tenant_roles_without_inheritance': tenantRolesWithoutInheritance,
  '007_api_key_plaintext_shown': apiKeyPlaintextShown,
  '008_recording_skipped': recordingSkipped,
  '009_rate_limit_windows': rateLimitWindows,
  '010_evaluations': evaluations,
  '011_billing': billing,
  '012_livekit_agents': liveKitAgents,
  '013_api_key_expiry': apiKeyExpiry,
  '014_test_suites': testSuites,
  '015_session_slots_agent_streams': sessionSlotsAgentStreams,
  '016_test_run_leases': testRunLeases,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
