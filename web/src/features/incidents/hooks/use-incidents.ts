import { useQuery } from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';
import type { Incident, IncidentDetail } from '../../../api/types.ts';

export function useIncidents(status: 'open' | 'resolved' | undefined) {
  return useQuery({
    queryKey: ['incidents', status ?? 'all'],
    queryFn: ({ signal }) =>
      api.get<{ incidents: Incident[] }>(`/api/v1/incidents${qs({ status, limit: 200 })}`, { signal }).then((r) => r.incidents),
    refetchInterval: 60_000,
  });
}

export function useIncident(id: string) {
  return useQuery({
    queryKey: ['incident', id],
    queryFn: ({ signal }) => api.get<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`, { signal }),
  });
}
