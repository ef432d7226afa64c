import type { TestContext } from 'node:test';
import { RouteNotImplemented } from '../support/contract.ts';

/** Runs a test body; a documented route the server does not have yet skips the test, naming the route. */
export async function skipUnimplemented(t: TestContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!(error instanceof RouteNotImplemented)) throw error;
    t.skip(`not implemented yet: ${error.operation}`);
  }
}
