import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';
import type { Allowance, Compensation, OffersResponse } from '../../../api/types.ts';

const enc = encodeURIComponent;

/** Compensations waiting for a manager (the Approvals page, and the inbox's approval queue). */
export const pendingApprovalsOptions = queryOptions({
  queryKey: ['compensations', 'pending'],
  queryFn: ({ signal }) =>
    api
      .get<{ compensations: Compensation[] }>(`/api/v1/compensations${qs({ status: 'pending_approval', limit: 200 })}`, { signal })
      .then((r) => r.compensations),
});

export function usePendingApprovals() {
  return useQuery({ ...pendingApprovalsOptions, refetchInterval: 30_000 });
}

export function useCaseCompensations(caseId: string) {
  return useQuery({
    queryKey: ['compensations', 'case', caseId],
    queryFn: ({ signal }) =>
      api
        .get<{ compensations: Compensation[] }>(`/api/v1/compensations${qs({ caseId, limit: 50 })}`, { signal })
        .then((r) => r.compensations),
  });
}

export function useOffers(caseId: string) {
  return useQuery({
    queryKey: ['offers', caseId],
    queryFn: ({ signal }) => api.get<OffersResponse>(`/api/v1/cases/${enc(caseId)}/offers`, { signal }),
  });
}

export function useAllowance() {
  return useQuery({ queryKey: ['allowance'], queryFn: ({ signal }) => api.get<Allowance>('/api/v1/allowance', { signal }) });
}

/**
 * Refetches what a grant changes, without making the mutation wait for it: the card that asked may leave the
 * list once the offers reload, and its own success callback must have run by then.
 */
function useRefreshMoney() {
  const qc = useQueryClient();
  return () => {
    for (const key of ['compensations', 'offers', 'allowance', 'cases']) void qc.invalidateQueries({ queryKey: [key] });
  };
}

export function useRequestCompensation(caseId: string) {
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: (r: { offerId: string; idempotencyKey: string; justification?: string }) =>
      api.post<Compensation>(`/api/v1/cases/${enc(caseId)}/compensations`, r),
    onSuccess: refresh,
  });
}

export function useDecideCompensation() {
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: ({ id, verb, reason }: { id: string; verb: 'approve' | 'reject'; reason: string }) =>
      api.post<Compensation>(`/api/v1/compensations/${enc(id)}/${verb}`, verb === 'approve' && !reason ? {} : { reason }),
    onSuccess: refresh,
  });
}
