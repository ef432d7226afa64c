import { forTheseTests } from '../support/for-these-tests.ts';
import { quietAssistant, startSecondStreamGateway, startTestApiAsOrganization } from '../support/api.ts';

/**
 * For the tests of the file: the api with WebSocket sessions, an organization with the quiet assistant, and a second
 * instance's WebSocket side sharing the database (sessions connected there run there). The second instance is closed
 * before the api, whose database it still writes to while its sessions end.
 */
export function useTwoInstances() {
  return forTheseTests(
    async () => {
      const first = await startTestApiAsOrganization({ withStreamGateway: true, assistant: quietAssistant });
      return { ...first, assistantId: first.assistantId!, second: await startSecondStreamGateway(first.api) };
    },
    async ({ api, second }) => {
      await second.close();
      await api.close();
    },
  );
}
