import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { CaseAttachment } from '../types.ts';

/** The files customers sent on a case, oldest first. */
export function useCaseAttachments(caseId: string) {
  return useQuery({
    queryKey: ['cases', caseId, 'attachments'],
    queryFn: ({ signal }) =>
      api.get<{ attachments: CaseAttachment[] }>(`/api/v1/cases/${encodeURIComponent(caseId)}/attachments`, { signal }),
    select: (d) => d.attachments,
  });
}
