import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';
import type { Incident, IncidentFull, IncidentStats } from '../types.ts';

const enc = encodeURIComponent;

export function useIncidents(status: 'open' | 'resolved' | undefined) {
  return useQuery({
    queryKey: ['incidents', 'list', status ?? 'all'],
    queryFn: ({ signal }) =>
      api.get<{ incidents: Incident[] }>(`/api/v1/incidents${qs({ status, limit: 200 })}`, { signal }).then((r) => r.incidents),
    refetchInterval: 60_000,
  });
}

/** Incidents started and customers affected per day of the store's calendar, by monitor. */
export function useIncidentStats(days: number) {
  return useQuery({
    queryKey: ['incidents', 'stats', days],
    queryFn: ({ signal }) => api.get<IncidentStats>(`/api/v1/incidents/stats${qs({ days })}`, { signal }),
    refetchInterval: 60_000,
  });
}

export function useIncident(id: string) {
  return useQuery({
    queryKey: ['incident', id],
    queryFn: ({ signal }) => api.get<IncidentFull>(`/api/v1/incidents/${enc(id)}`, { signal }),
    // Deliveries and remedies move on by themselves (the outbox, the issuing worker).
    refetchInterval: 30_000,
  });
}

function useRefreshIncident(id: string) {
  const qc = useQueryClient();
  return (updated: Incident) => {
    // The detail shows the change at once; the list and the chart reload behind it.
    qc.setQueryData<IncidentFull>(['incident', id], (old) => (old ? { ...old, ...updated } : old));
    void qc.invalidateQueries({ queryKey: ['incident', id] });
    void qc.invalidateQueries({ queryKey: ['incidents'] });
  };
}

/** Managers: show the incident on the status page, or hide it. */
export function useSetIncidentPublic(id: string) {
  const refresh = useRefreshIncident(id);
  return useMutation({
    mutationFn: (v: { public: boolean; reason?: string }) => api.patch<Incident>(`/api/v1/incidents/${enc(id)}`, v),
    onSuccess: refresh,
  });
}

/** Managers: close an incident the monitors never will (not an outage). */
export function useResolveIncident(id: string) {
  const refresh = useRefreshIncident(id);
  return useMutation({
    mutationFn: (v: { reason?: string }) => api.post<Incident>(`/api/v1/incidents/${enc(id)}/resolve`, v),
    onSuccess: refresh,
  });
}
