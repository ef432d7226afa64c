import { toPublicTestRun } from '../../contract/test-run.ts';
import { runSql, type Transaction } from '../db/database.ts';
import { sql } from '../db/sql.ts';
import { fetchPage, type Page } from '../db/pagination.ts';
import type { CriterionScore } from '../evaluations/evaluation-result.ts';
import { appendEvent } from '../webhooks/outbox.ts';
import { newId } from '../ids.ts';
import type { Scenario } from '../test-suites/scenario-config.ts';

type TestRunStatus = 'queued' | 'running' | 'completed' | 'failed';
export type ScenarioStatus = 'pending' | 'running' | 'passed' | 'failed' | 'error';

export interface ScenarioResult {
  scenario_id: string;
  scenario_name: string;
  status: ScenarioStatus;
  session_id: string | null;
  scores: CriterionScore[];
  error: string | null;
  duration_ms: number | null;
}

export interface TestRunRow {
  id: string;
  org_id: string;
  suite_id: string;
  assistant_id: string;
  assistant_patch: Record<string, unknown> | null;
  /** The scenarios as they were when the run was requested. */
  scenarios: Scenario[];
  concurrency: number;
  status: TestRunStatus;
  results: ScenarioResult[];
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  /** The runner holding the run while it plays it, until `lease_expires_at` (see `takeTestRunLease`). */
  lease_owner: string | null;
  lease_expires_at: Date | null;
}

export async function insertTestRun(
  trx: Transaction,
  input: { orgId: string; suiteId: string; assistantId: string; assistantPatch: Record<string, unknown> | null; scenarios: Scenario[]; concurrency: number },
): Promise<TestRunRow> {
  const results: ScenarioResult[] = input.scenarios.map((scenario) => ({
    scenario_id: scenario.id,
    scenario_name: scenario.name,
    status: 'pending',
    session_id: null,
    scores: [],
    error: null,
    duration_ms: null,
  }));
  const [row] = await trx<TestRunRow>('test_runs')
    .insert({
      id: newId('testRun'),
      org_id: input.orgId,
      suite_id: input.suiteId,
      assistant_id: input.assistantId,
      assistant_patch: (input.assistantPatch === null ? null : JSON.stringify(input.assistantPatch)) as never,
      scenarios: JSON.stringify(input.scenarios) as never,
      concurrency: input.concurrency,
      status: 'queued',
      results: JSON.stringify(results) as never,
    })
    .returning('*');
  return row!;
}

/**
 * The organization's queued and running runs, counted under a lock on its run requests held until the transaction
 * ends, so that two requests at the limit cannot both count one below it and both insert. An advisory lock: it
 * blocks nothing but other run requests of the same organization.
 */
export async function countUnfinishedTestRunsLocked(trx: Transaction, orgId: string): Promise<number> {
  await runSql(trx, sql`SELECT pg_advisory_xact_lock(hashtext(${`test_runs:${orgId}`}))`);
  const row = await trx('test_runs').where({ org_id: orgId }).whereIn('status', ['queued', 'running']).count('* as count').first();
  return Number(row?.count ?? 0);
}

export async function getTestRun(trx: Transaction, orgId: string, id: string): Promise<TestRunRow | undefined> {
  return trx<TestRunRow>('test_runs').where({ org_id: orgId, id }).first();
}

export async function listTestRuns(trx: Transaction, orgId: string, filter: { suiteId?: string | undefined; assistantId?: string | undefined }, page: Page) {
  const query = trx('test_runs').where({ org_id: orgId });
  if (filter.suiteId) query.where('suite_id', filter.suiteId);
  if (filter.assistantId) query.where('assistant_id', filter.assistantId);
  return fetchPage<TestRunRow>(query, page);
}

/**
 * Takes the run for `owner` until `leaseS` from now, marking it running: a queued run, or one whose lease has run out
 * (its runner died), never one another runner holds. Of two runners trying at once, one gets it.
 */
export async function takeTestRunLease(trx: Transaction, orgId: string, id: string, owner: string, leaseS: number): Promise<TestRunRow | undefined> {
  const [row] = await trx<TestRunRow>('test_runs')
    .where({ org_id: orgId, id })
    .whereIn('status', ['queued', 'running'])
    .where((free) => free.whereNull('lease_expires_at').orWhere('lease_expires_at', '<', trx.fn.now()))
    .update({
      status: 'running',
      started_at: trx.raw('coalesce(started_at, now())') as never,
      lease_owner: owner,
      lease_expires_at: leaseEnd(trx, leaseS),
    })
    .returning('*');
  return row;
}

/** Extends `owner`'s lease to `leaseS` from now; false when it is no longer theirs (taken over, or the run finished). */
export async function renewTestRunLease(trx: Transaction, orgId: string, id: string, owner: string, leaseS: number): Promise<boolean> {
  const updated = await heldBy(trx, orgId, id, owner).update({ lease_expires_at: leaseEnd(trx, leaseS) });
  return updated > 0;
}

/**
 * One scenario's result, written as it changes, so a report read mid-run shows the scenarios that finished. Only by
 * the lease's owner: false when it is no longer theirs.
 */
export async function saveScenarioResult(trx: Transaction, orgId: string, id: string, owner: string, index: number, result: ScenarioResult): Promise<boolean> {
  const updated = await heldBy(trx, orgId, id, owner).update({
    results: trx.raw(`jsonb_set(results, ?::text[], ?::jsonb)`, [`{${index}}`, JSON.stringify(result)]),
  });
  return updated > 0;
}

/** running → completed/failed with its `test_run.completed` event, once, by the lease's owner; the lease ends with it. */
export async function finishTestRun(
  trx: Transaction,
  orgId: string,
  id: string,
  owner: string,
  status: 'completed' | 'failed',
  results: ScenarioResult[],
): Promise<TestRunRow | undefined> {
  const [row] = await heldBy(trx, orgId, id, owner)
    .update({ status, results: JSON.stringify(results) as never, completed_at: trx.fn.now() as never, lease_owner: null, lease_expires_at: null })
    .returning('*');
  if (!row) return undefined;
  await appendEvent(trx, { orgId, type: 'test_run.completed', assistantId: row.assistant_id, data: { test_run: toPublicTestRun(row) } });
  return row;
}

function heldBy(trx: Transaction, orgId: string, id: string, owner: string) {
  return trx<TestRunRow>('test_runs').where({ org_id: orgId, id, status: 'running', lease_owner: owner });
}

function leaseEnd(trx: Transaction, leaseS: number): never {
  return trx.raw(`now() + ? * interval '1 second'`, [leaseS]) as never;
}

/**
 * Unfinished runs no runner holds, for the sweep to enqueue again (system role): those whose lease has run out (their
 * runner died), and those never taken this long after they were requested (their job was lost). Never a run whose
 * lease is live, however long it has been running.
 */
export async function abandonedTestRuns(
  trx: Transaction,
  neverTakenAfterS: number,
  limit: number,
): Promise<Array<Pick<TestRunRow, 'id' | 'org_id' | 'lease_expires_at'>>> {
  return trx('test_runs')
    .whereIn('status', ['queued', 'running'])
    .where((abandoned) =>
      abandoned
        .where('lease_expires_at', '<', trx.fn.now())
        .orWhere((neverTaken) => neverTaken.whereNull('lease_expires_at').where('created_at', '<', trx.raw(`now() - ? * interval '1 second'`, [neverTakenAfterS]))),
    )
    .orderBy('created_at')
    .limit(limit)
    .select('id', 'org_id', 'lease_expires_at');
}
