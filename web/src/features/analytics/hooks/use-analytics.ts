import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, qs } from '../../../api/client.ts';
import type { Kpis, Paradox, Pareto, ParetoDimension, RecurringIssue, WeakSpots } from '../types.ts';

export type Params = Record<string, string | number | undefined | null>;

/** The URL of an analytics endpoint; `csv` asks for the same table as CSV (`format=csv`). */
export function analyticsUrl(path: string, params: Params, csv = false): string {
  return `/api/v1/analytics/${path}${qs({ ...params, ...(csv ? { format: 'csv' } : {}) })}`;
}

const get =
  <T>(path: string, params: Params) =>
  ({ signal }: { signal: AbortSignal }) =>
    api.get<T>(analyticsUrl(path, params), { signal });

// Analytics change slowly: a minute fresh, and the old figures stay on screen while new filters load.
const staleTime = 60_000;
const placeholderData = keepPreviousData;

/** `from`/`to` inclusive UTC days and the filters. */
export function useKpis(params: Params) {
  return useQuery<Kpis>({ queryKey: ['analytics', 'kpis', params], queryFn: get<Kpis>('kpis', params), staleTime, placeholderData });
}

/** `from`/`to` inclusive UTC days of the failures, `windowDays`. */
export function useParadox(params: Params) {
  return useQuery<Paradox>({
    queryKey: ['analytics', 'paradox', params],
    queryFn: get<Paradox>('paradox', params),
    staleTime,
    placeholderData,
  });
}

/** Root-cause endpoints take `to` exclusive. */
export function usePareto(params: Params, by: ParetoDimension) {
  return useQuery<Pareto>({
    queryKey: ['analytics', 'pareto', by, params],
    queryFn: get<Pareto>('pareto', { ...params, by }),
    staleTime,
    placeholderData,
  });
}

export function useWeakSpots(params: Params) {
  return useQuery<WeakSpots>({
    queryKey: ['analytics', 'weak-spots', params],
    queryFn: get<WeakSpots>('weak-spots', params),
    staleTime,
    placeholderData,
  });
}

export function useRecurring(params: Params) {
  return useQuery<RecurringIssue[]>({
    queryKey: ['analytics', 'recurring', params],
    queryFn: ({ signal }) => api.get<{ issues: RecurringIssue[] }>(analyticsUrl('recurring', params), { signal }).then((r) => r.issues),
    staleTime,
    placeholderData,
  });
}
