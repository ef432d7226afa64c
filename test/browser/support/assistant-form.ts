import type { Page } from 'playwright-core';

export interface ScriptedAssistantFields {
  name: string;
  systemPrompt: string;
  firstMessage: string;
  /** The script's one rule: what the caller says (a regular expression) and the reply to it. */
  pattern: string;
  reply: string;
  defaultReply: string;
}

/** Opens the new-assistant form from the navigation and fills in a scripted assistant with one rule, field by field. */
export async function fillNewScriptedAssistant(page: Page, fields: ScriptedAssistantFields): Promise<void> {
  await page.getByRole('link', { name: 'New assistant' }).click();
  await page.getByLabel('Name', { exact: true }).fill(fields.name);
  await page.getByLabel('System prompt').fill(fields.systemPrompt);
  await page.getByLabel('First message', { exact: true }).fill(fields.firstMessage);
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByLabel('Pattern 1').fill(fields.pattern);
  await page.getByLabel('Reply 1').fill(fields.reply);
  await page.getByLabel('Default reply').fill(fields.defaultReply);
}
