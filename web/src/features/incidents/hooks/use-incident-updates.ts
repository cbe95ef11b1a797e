import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';

const enc = encodeURIComponent;

export const updateStates = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type UpdateState = (typeof updateStates)[number];

/** One status update (GET/POST /api/v1/incidents/:id/updates). */
export interface IncidentUpdate {
  id: string;
  incidentId: string;
  state: string;
  body: string;
  public: boolean;
  /** null: the system's own update (opened, resolved). */
  author: { type: 'user' | 'token'; id: string; name: string | null } | null;
  createdAt: string;
}

export interface IncidentUpdates {
  incidentId: string;
  status: string;
  public: boolean;
  publicTitle: string | null;
  publicSummary: string | null;
  /** The store's status page, relative to this server. */
  statusPageUrl: string;
  updates: IncidentUpdate[];
}

const key = (id: string) => ['incident', id, 'updates'] as const;

export function useIncidentUpdates(id: string) {
  return useQuery({
    queryKey: key(id),
    queryFn: ({ signal }) => api.get<IncidentUpdates>(`/api/v1/incidents/${enc(id)}/updates`, { signal }),
    refetchInterval: 60_000,
  });
}

function useRefresh(id: string) {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: key(id) });
    // Posting "resolved" resolves the incident; the title and summary show in the detail too.
    void qc.invalidateQueries({ queryKey: ['incident', id], exact: true });
    void qc.invalidateQueries({ queryKey: ['incidents'] });
  };
}

/** Managers: post an update (shown on the status page when public and the incident is public). */
export function usePostIncidentUpdate(id: string) {
  const refresh = useRefresh(id);
  return useMutation({
    mutationFn: (v: { state: UpdateState; body: string; public: boolean }) =>
      api.post<IncidentUpdate>(`/api/v1/incidents/${enc(id)}/updates`, v),
    onSuccess: refresh,
  });
}

/** Managers: the incident's public title and summary (null clears them). */
export function useSetPublicText(id: string) {
  const refresh = useRefresh(id);
  return useMutation({
    mutationFn: (v: { publicTitle: string | null; publicSummary: string | null }) => api.patch<unknown>(`/api/v1/incidents/${enc(id)}`, v),
    onSuccess: refresh,
  });
}

/** Managers: show one update on the status page, or hide it. */
export function useSetUpdatePublic(id: string) {
  const refresh = useRefresh(id);
  return useMutation({
    mutationFn: (v: { updateId: string; public: boolean }) =>
      api.patch<IncidentUpdate>(`/api/v1/incidents/${enc(id)}/updates/${enc(v.updateId)}`, { public: v.public }),
    onSuccess: refresh,
  });
}
