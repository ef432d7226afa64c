import type { Transaction } from '../db/database.ts';
import { fetchPage, type Page } from '../db/pagination.ts';
import { newId } from '../ids.ts';
import type { Scenario } from '../test-suites/scenario-config.ts';

export interface TestSuiteRow {
  id: string;
  org_id: string;
  name: string;
  description: string | null;
  scenarios: Scenario[];
  created_at: Date;
  updated_at: Date;
}

export interface TestSuiteChanges {
  name?: string | undefined;
  description?: string | null | undefined;
  scenarios?: Scenario[] | undefined;
}

export async function insertTestSuite(
  trx: Transaction,
  input: { orgId: string; name: string; description: string | null; scenarios: Scenario[] },
): Promise<TestSuiteRow> {
  const [row] = await trx<TestSuiteRow>('test_suites')
    .insert({ id: newId('testSuite'), org_id: input.orgId, name: input.name, description: input.description, scenarios: JSON.stringify(input.scenarios) as never })
    .returning('*');
  return row!;
}

export async function getTestSuite(trx: Transaction, orgId: string, id: string): Promise<TestSuiteRow | undefined> {
  return trx<TestSuiteRow>('test_suites').where({ org_id: orgId, id }).first();
}

/** The suite locked for an update that reads it first (adding a scenario to its list). */
export async function lockTestSuite(trx: Transaction, orgId: string, id: string): Promise<TestSuiteRow | undefined> {
  return trx<TestSuiteRow>('test_suites').where({ org_id: orgId, id }).forUpdate().first();
}

export async function listTestSuites(trx: Transaction, orgId: string, page: Page) {
  return fetchPage<TestSuiteRow>(trx('test_suites').where({ org_id: orgId }), page);
}

export async function updateTestSuite(trx: Transaction, orgId: string, id: string, changes: TestSuiteChanges): Promise<TestSuiteRow | undefined> {
  const update: Record<string, unknown> = { updated_at: trx.fn.now() };
  if (changes.name !== undefined) update.name = changes.name;
  if (changes.description !== undefined) update.description = changes.description;
  if (changes.scenarios !== undefined) update.scenarios = JSON.stringify(changes.scenarios);
  const [row] = await trx<TestSuiteRow>('test_suites').where({ org_id: orgId, id }).update(update).returning('*');
  return row;
}

export async function deleteTestSuite(trx: Transaction, orgId: string, id: string): Promise<boolean> {
  return (await trx('test_suites').where({ org_id: orgId, id }).delete().returning('id')).length > 0;
}
