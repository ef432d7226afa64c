import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DashboardSignInCodes } from './dashboard-sign-in-codes.ts';

test('a sign-in code is redeemed once, for the organization it was issued for', () => {
  const codes = new DashboardSignInCodes();
  const code = codes.issue('org_a');
  assert.equal(codes.redeem('not-the-code'), undefined);
  assert.equal(codes.redeem(code), 'org_a');
  assert.equal(codes.redeem(code), undefined);
});

test('a sign-in code expires', async () => {
  const codes = new DashboardSignInCodes(20);
  const code = codes.issue('org_a');
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(codes.redeem(code), undefined);
});
