import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';

export interface QueuePost {
  id: string;
  kind: 'question' | 'answer' | string;
  status: string;
  title: string | null;
  questionId: string | null;
  questionTitle: string | null;
  excerpt: string;
  author: { id: string; displayName: string; email: string; reputation: number; banned: boolean };
  caseId: string | null;
  createdAt: string;
  url: string;
}

export interface QueueReport {
  id: string;
  reason: string;
  reporter: string | null;
  createdAt: string;
  post: QueuePost;
}

export interface ModerationQueue {
  pending: QueuePost[];
  reports: QueueReport[];
}

const enc = encodeURIComponent;

export function useModerationQueue() {
  return useQuery({
    queryKey: ['community', 'moderation'],
    queryFn: ({ signal }) => api.get<ModerationQueue>('/api/v1/community/moderation', { signal }),
    refetchInterval: 30_000,
  });
}

export type ModerationVerb =
  | { target: 'post'; id: string; verb: 'approve' | 'hide' | 'restore' | 'take-private' }
  | { target: 'report'; id: string; verb: 'uphold' | 'dismiss' };

export function useModerate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (m: ModerationVerb) =>
      api.post<{ caseId?: string; status?: string }>(
        `/api/v1/community/${m.target === 'post' ? 'posts' : 'reports'}/${enc(m.id)}/${m.verb}`,
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['community'] });
      void qc.invalidateQueries({ queryKey: ['cases'] });
    },
  });
}
