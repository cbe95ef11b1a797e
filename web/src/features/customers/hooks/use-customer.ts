import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { Order } from '../../../api/types.ts';
import type { CustomerRecord } from '../types.ts';

/** One customer; cached a few minutes so inbox rows and the case page share it. */
export function useCustomer(id: string | null | undefined, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['customer', id],
    queryFn: ({ signal }) => api.get<CustomerRecord>(`/api/v1/customers/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: Boolean(id) && opts.enabled !== false,
    staleTime: 5 * 60_000,
  });
}

export function useOrder(id: string | null | undefined, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['order', id],
    queryFn: ({ signal }) => api.get<Order>(`/api/v1/orders/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: Boolean(id) && opts.enabled !== false,
    staleTime: 60_000,
  });
}
