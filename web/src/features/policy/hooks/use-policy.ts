import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client.ts';
import type { ActivePolicy, PolicyVersion } from '../../../api/types.ts';
import type { PolicyCheck, Simulation } from '../types.ts';

export const policyKey = ['policy'] as const;

export function useActivePolicy() {
  return useQuery({ queryKey: policyKey, queryFn: ({ signal }) => api.get<ActivePolicy>('/api/v1/policy', { signal }) });
}

export function usePolicyVersions(enabled: boolean) {
  return useQuery({
    queryKey: [...policyKey, 'versions'],
    queryFn: ({ signal }) => api.get<{ versions: PolicyVersion[] }>('/api/v1/policy/versions', { signal }).then((r) => r.versions),
    enabled,
  });
}

/**
 * The server's check of the draft: on its own once typing pauses, at once with `checkNow`. `fresh` says whether
 * the errors belong to the text as it is now (the previous answer stays on screen while the next is asked).
 */
export function usePolicyCheck(source: string) {
  const [settled] = useDebouncedValue(source, 600);
  const [forced, setForced] = useState<string | null>(null);
  const target = forced === source ? source : settled;
  const checkable = target.trim().length > 0;
  const q = useQuery({
    queryKey: [...policyKey, 'check', target],
    queryFn: ({ signal }) => api.post<PolicyCheck>('/api/v1/policy/check', { source: target }, { signal }),
    enabled: checkable,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 60_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const fresh = checkable && target === source && q.isSuccess && !q.isPlaceholderData;
  return {
    result: source.trim().length > 0 ? q.data : undefined,
    fresh,
    checking: source.trim().length > 0 && (!fresh || q.isFetching),
    error: q.isError ? q.error : null,
    checkNow: () => {
      setForced(source);
      if (target === source) void q.refetch();
    },
  };
}

/** Replays the store's history under the draft and the active policy. */
export function useSimulation() {
  return useMutation({
    mutationFn: (source: string) => api.post<Simulation>('/api/v1/policy/simulate', { source }).then((r) => ({ ...r, for: source })),
  });
}

export function useActivatePolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (source: string) => api.post<ActivePolicy>('/api/v1/policy', { source }),
    onSuccess: (active) => {
      client.setQueryData(policyKey, active);
      void client.invalidateQueries({ queryKey: [...policyKey, 'versions'] });
    },
  });
}
