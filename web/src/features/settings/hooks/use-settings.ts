import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { sessionKey } from '../../auth/hooks/use-session.ts';
import type {
  ApiToken,
  ChannelsStatus,
  SettingsInput,
  SettingsResponse,
  StoreProfile,
  TemplateCatalog,
  TemplateKey,
  TemplatePreview,
} from '../types.ts';

export const storeKey = ['store'] as const;
export const settingsKey = ['store', 'settings'] as const;
export const tokensKey = ['tokens'] as const;

export function useStoreProfile() {
  return useQuery({ queryKey: storeKey, queryFn: ({ signal }) => api.get<StoreProfile>('/api/v1/store', { signal }) });
}

export function useUpdateStore() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<Pick<StoreProfile, 'name' | 'timezone'>>) => api.put<StoreProfile>('/api/v1/store', body),
    onSuccess: (store) => {
      qc.setQueryData(storeKey, (old: unknown) => ({ ...(old as object), ...store }));
      // The header shows the store's name; business hours may follow its time zone.
      void qc.invalidateQueries({ queryKey: sessionKey });
      void qc.invalidateQueries({ queryKey: settingsKey });
    },
  });
}

export function useStoreSettings() {
  return useQuery({ queryKey: settingsKey, queryFn: ({ signal }) => api.get<SettingsResponse>('/api/v1/store/settings', { signal }) });
}

/**
 * Saves one section: PUT replaces the whole settings, so the section's part goes in over the latest stored
 * settings (read just before, so a section saved a moment ago in this tab is kept).
 */
export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (change: (current: SettingsInput) => SettingsInput) => {
      const current = qc.getQueryData<SettingsResponse>(settingsKey)?.settings ?? {};
      return api.put<SettingsResponse>('/api/v1/store/settings', change(structuredClone(current)));
    },
    onSuccess: (r) => qc.setQueryData(settingsKey, r),
  });
}

export function useTemplateCatalog() {
  return useQuery({
    queryKey: ['store', 'templates'],
    queryFn: ({ signal }) => api.get<TemplateCatalog>('/api/v1/store/templates', { signal }),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useTemplatePreview() {
  return useMutation({
    mutationFn: (body: { key: TemplateKey | 'saved-reply'; source?: string }) =>
      api.post<TemplatePreview>('/api/v1/store/templates/preview', body),
  });
}

export function useChannelsStatus(enabled: boolean) {
  return useQuery({
    queryKey: ['store', 'channels'],
    queryFn: ({ signal }) => api.get<ChannelsStatus>('/api/v1/store/channels', { signal }),
    enabled,
  });
}

export function useTokens(enabled: boolean) {
  return useQuery({
    queryKey: tokensKey,
    queryFn: ({ signal }) => api.get<{ tokens: ApiToken[] }>('/api/v1/tokens', { signal }).then((r) => r.tokens),
    enabled,
  });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; role: string; userId?: string | null }) =>
      api.post<ApiToken & { token: string }>('/api/v1/tokens', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokensKey }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<ApiToken>(`/api/v1/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: tokensKey }),
  });
}
