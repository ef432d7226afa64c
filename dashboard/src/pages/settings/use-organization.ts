import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';

/** The caller's organization: its settings and the transports the server offers. */
export function useOrganization() {
  return useQuery({ queryKey: ['organization'], queryFn: () => unwrap(api.GET('/v1/organization')) });
}
