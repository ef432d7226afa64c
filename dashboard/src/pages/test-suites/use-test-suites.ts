import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { testSuitesApi, type TestRun } from './test-suites-api';

export function useTestSuites({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: ['test-suites'], queryFn: testSuitesApi.listSuites, enabled });
}

/** Starts a run of a suite and opens its page, where results arrive as scenarios finish. */
export function useStartRun() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ suiteId, ...body }: { suiteId: string } & Parameters<typeof testSuitesApi.startRun>[1]) => testSuitesApi.startRun(suiteId, body),
    onSuccess: (run: TestRun) => {
      queryClient.setQueryData(['test-run', run.id], run);
      void queryClient.invalidateQueries({ queryKey: ['test-runs'] });
      void navigate(`/test-runs/${run.id}`);
    },
  });
}

export const runFinished = (run: TestRun | undefined) => run !== undefined && (run.status === 'completed' || run.status === 'failed');
