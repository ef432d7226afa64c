import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { listAll } from '../../api/list-all';

/** Every assistant of the organization, every page of them; `enabled: false` leaves the list unfetched. */
export function useAssistants({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['assistants'],
    enabled,
    queryFn: () =>
      listAll((starting_after) => unwrap(api.GET('/v1/assistants', { params: { query: { limit: 100, ...(starting_after ? { starting_after } : {}) } } }))),
  });
}
