import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { listAll } from '../../api/list-all';

export function useAssistants() {
  return useQuery({
    queryKey: ['assistants'],
    queryFn: () =>
      listAll((starting_after) => unwrap(api.GET('/v1/assistants', { params: { query: { limit: 100, ...(starting_after ? { starting_after } : {}) } } }))),
  });
}
