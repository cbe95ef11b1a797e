import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import type { ToneCheck } from '../../../api/types.ts';

export const TONE_CHECK_MAX = 20_000;

/**
 * The server's tone check of a draft, asked for once the agent pauses typing. `fresh` says whether the
 * findings belong to the text as it is now: spans of an older draft must not be applied to a newer one.
 */
export function useToneCheck(text: string, locale: string | undefined, enabled: boolean) {
  const [settled] = useDebouncedValue(text, 450);
  const checkable = enabled && settled.trim().length > 0 && settled.length <= TONE_CHECK_MAX;
  const q = useQuery({
    queryKey: ['tone-check', locale ?? '', settled],
    queryFn: ({ signal }) => api.post<ToneCheck>('/api/v1/replies/check', { text: settled, ...(locale ? { locale } : {}) }, { signal }),
    enabled: checkable,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 60_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const fresh = checkable && settled === text && q.isSuccess && !q.isPlaceholderData;
  return {
    result: checkable ? q.data : undefined,
    fresh,
    checking: enabled && text.trim().length > 0 && (!fresh || q.isFetching),
    error: q.isError ? q.error : null,
    tooLong: text.length > TONE_CHECK_MAX,
  };
}
