import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';
import type { CaseDetail, CaseList, CaseMessage, CaseStatus, CaseSummary } from '../../../api/types.ts';
import type { CaseSort, InboxView, QueueCountsResponse } from '../types.ts';

/** Cases per page of the inbox; more load as the agent scrolls or moves down with `j`. */
export const INBOX_PAGE = 50;

export interface InboxQuery {
  view: InboxView | undefined;
  statuses: readonly CaseStatus[];
  sort: CaseSort;
}

export const inboxQueryString = (q: InboxQuery, cursor: string | null, limit = INBOX_PAGE) =>
  qs({ status: q.statuses.join(','), view: q.view, sort: q.sort, limit, cursor });

/** One inbox queue in the server's order, a page at a time (keyset cursors: no gaps or repeats while cases arrive). */
export const inboxCasesOptions = (q: InboxQuery) =>
  infiniteQueryOptions({
    queryKey: ['cases', 'inbox', q.view ?? 'all', [...q.statuses].sort().join(','), q.sort],
    queryFn: ({ pageParam, signal }) => api.get<CaseList>(`/api/v1/cases${inboxQueryString(q, pageParam)}`, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: CaseList) => last.nextCursor,
  });

export function useInboxCases(q: InboxQuery) {
  return useInfiniteQuery({ ...inboxCasesOptions(q), refetchInterval: 30_000, placeholderData: keepPreviousData });
}

/** How many cases each queue holds for the signed-in agent: one request, counted by the server. */
export const queueCountsOptions = (statuses: readonly CaseStatus[]) =>
  queryOptions({
    queryKey: ['cases', 'queues', [...statuses].sort().join(',')],
    queryFn: ({ signal }) => api.get<QueueCountsResponse>(`/api/v1/cases/queues${qs({ status: statuses.join(',') })}`, { signal }),
  });

export function useQueueCounts(statuses: readonly CaseStatus[]) {
  return useQuery({ ...queueCountsOptions(statuses), refetchInterval: 30_000, placeholderData: keepPreviousData });
}

export const caseOptions = (id: string) =>
  queryOptions({
    queryKey: ['cases', 'detail', id],
    queryFn: ({ signal }) => api.get<CaseDetail>(`/api/v1/cases/${encodeURIComponent(id)}`, { signal }),
  });

export function useCase(id: string) {
  return useQuery({ ...caseOptions(id), refetchInterval: 30_000 });
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
