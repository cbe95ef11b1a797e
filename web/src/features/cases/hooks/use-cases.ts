import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';
import type { CaseDetail, CaseList, CaseMessage, CaseStatus, CaseSummary } from '../../../api/types.ts';

/** At most this many cases are loaded into the inbox (200 per page). */
export const INBOX_CAP = 2000;

/** Every case with one of these statuses (up to INBOX_CAP), paging through the API's cursor. */
async function fetchAllCases(statuses: readonly CaseStatus[], signal: AbortSignal): Promise<{ cases: CaseSummary[]; capped: boolean }> {
  const cases: CaseSummary[] = [];
  let cursor: string | null = null;
  do {
    const page: CaseList = await api.get<CaseList>(`/api/v1/cases${qs({ status: statuses.join(','), limit: 200, cursor })}`, { signal });
    cases.push(...page.cases);
    cursor = page.nextCursor;
  } while (cursor && cases.length < INBOX_CAP);
  return { cases, capped: cursor !== null };
}

export function useCaseList(statuses: readonly CaseStatus[]) {
  return useQuery({
    queryKey: ['cases', 'list', [...statuses].sort().join(',')],
    queryFn: ({ signal }) => fetchAllCases(statuses, signal),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
}

export function useCase(id: string) {
  return useQuery({
    queryKey: ['cases', 'detail', id],
    queryFn: ({ signal }) => api.get<CaseDetail>(`/api/v1/cases/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: 30_000,
  });
}

export function useCaseActions(id: string) {
  const qc = useQueryClient();
  const path = `/api/v1/cases/${encodeURIComponent(id)}`;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['cases'] });
  };
  const addMessage = useMutation({
    mutationFn: (m: { kind: 'reply' | 'note'; body: string }) => api.post<CaseMessage>(`${path}/messages`, m),
    onSuccess: refresh,
  });
  const setStatus = useMutation({
    mutationFn: (s: { status: CaseStatus; reason?: string }) => api.post<CaseSummary>(`${path}/status`, s),
    onSuccess: refresh,
  });
  const assign = useMutation({
    mutationFn: (assigneeId: string | null) => api.post<CaseSummary>(`${path}/assign`, { assigneeId }),
    onSuccess: refresh,
  });
  return { addMessage, setStatus, assign };
}

/** Assign any case from a list (the inbox's `a`). */
export function useAssign() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ caseId, assigneeId }: { caseId: string; assigneeId: string | null }) =>
      api.post<CaseSummary>(`/api/v1/cases/${encodeURIComponent(caseId)}/assign`, { assigneeId }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['cases'] });
    },
  });
}
