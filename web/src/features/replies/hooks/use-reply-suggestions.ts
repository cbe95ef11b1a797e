import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { ReplySuggestions } from '../types.ts';

/**
 * The texts the composer offers for this case (acknowledgement, resolution, saved replies), rendered by the
 * server with the case's facts. Under the case's key, so a reply, a remedy or a status change refreshes it.
 */
export function useReplySuggestions(caseId: string, enabled = true) {
  return useQuery({
    queryKey: ['cases', 'detail', caseId, 'reply-suggestions'],
    queryFn: ({ signal }) => api.get<ReplySuggestions>(`/api/v1/cases/${encodeURIComponent(caseId)}/reply-suggestions`, { signal }),
    enabled,
    staleTime: 30_000,
  });
}
