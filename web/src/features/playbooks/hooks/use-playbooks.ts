import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { CasePlaybooks, Playbook, TrackRecord } from '../types.ts';

const enc = encodeURIComponent;

/** Playbooks suggested for a case; `version` (the case's updatedAt) refetches when the case changes. */
export function useCasePlaybooks(caseId: string, version: string) {
  return useQuery({
    queryKey: ['playbooks', 'case', caseId, version],
    queryFn: ({ signal }) => api.get<CasePlaybooks>(`/api/v1/cases/${enc(caseId)}/playbooks`, { signal }),
  });
}

/** "Use": records the playbook as applied to the case (once; the timeline notes it). */
export function useApplyPlaybook(caseId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (playbookId: string) =>
      api.post<{ first: boolean; trackRecord: TrackRecord }>(`/api/v1/cases/${enc(caseId)}/playbooks/${enc(playbookId)}/apply`, {}),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['playbooks', 'case', caseId] });
      void qc.invalidateQueries({ queryKey: ['cases'] });
    },
  });
}

/** "Save as playbook" on a resolved case (managers). */
export function useSavePlaybook(caseId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { title?: string; summary?: string }) => api.post<Playbook>(`/api/v1/cases/${enc(caseId)}/playbook`, body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['playbooks'] });
      void qc.invalidateQueries({ queryKey: ['cases'] });
    },
  });
}
