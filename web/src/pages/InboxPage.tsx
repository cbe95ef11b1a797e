import { Group, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { errorMessage } from '../api/client.ts';
import { type CaseStatus, type CaseSummary, openStatuses } from '../api/types.ts';
import { useSession } from '../features/auth/hooks/use-session.ts';
import { CaseList } from '../features/cases/components/CaseList.tsx';
import { QueueNav } from '../features/cases/components/QueueNav.tsx';
import { type InboxQuery, useAssign, useInboxCases, useQueueCounts } from '../features/cases/hooks/use-cases.ts';
import { saveInboxNav } from '../features/cases/inbox-nav.ts';
import { inboxParams } from '../features/cases/inbox-query.ts';
import { statusLabel } from '../features/cases/labels.ts';
import { type QueueId, queueHelp, queueLabel } from '../features/cases/queues.ts';
import type { CaseSort } from '../features/cases/types.ts';
import { usePendingApprovals } from '../features/compensation/hooks/use-compensation.ts';
import { useUsers } from '../features/team/hooks/use-users.ts';
import { useShortcutHelp } from '../ui/shortcuts.tsx';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { useKeys } from '../ui/use-keys.ts';
import { useNow } from '../ui/use-now.ts';
import { usePageTitle } from '../ui/use-page-title.ts';

const statusOptions = [
  { value: 'open', label: 'Open (every open status)' },
  ...openStatuses.map((s) => ({ value: s, label: statusLabel[s] })),
  { value: 'resolved,closed', label: 'Resolved or closed' },
  { value: 'resolved', label: statusLabel.resolved },
  { value: 'closed', label: statusLabel.closed },
];

const sortOptions: { value: CaseSort; label: string }[] = [
  { value: 'priority', label: 'Most urgent first' },
  { value: 'newest', label: 'Newest first' },
];

const inboxShortcuts = [
  { keys: ['j'], description: 'Next case' },
  { keys: ['k'], description: 'Previous case' },
  { keys: ['Enter'], description: 'Open the case' },
  { keys: ['r'], description: 'Open the case and reply' },
  { keys: ['e'], description: 'Open the case and resolve it' },
  { keys: ['a'], description: 'Assign the case to me' },
];

/** Within this many rows of the end of what is loaded, the next page is fetched. */
const PREFETCH_ROWS = 8;

function unique(cases: CaseSummary[]): CaseSummary[] {
  // A case whose priority changed between two pages can come twice; the first place wins.
  const seen = new Set<string>();
  return cases.filter((c) => {
    if (seen.has(c.id)) return false;
    seen.add(c.id);
    return true;
  });
}

export function InboxPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const parsed = inboxParams(params);
  const { queue, statusParam, sort } = parsed;
  const statusKey = parsed.query.statuses.join(',');
  const now = useNow(30_000);
  usePageTitle(`Inbox · ${queueLabel[queue]}`);
  useShortcutHelp('Inbox', inboxShortcuts);

  const query = useMemo<InboxQuery>(
    () => ({ view: queue === 'all' ? undefined : queue, statuses: statusKey.split(',') as CaseStatus[], sort }),
    [queue, statusKey, sort],
  );
  const list = useInboxCases(query);
  const counts = useQueueCounts(query.statuses);
  const pending = usePendingApprovals();
  const users = useUsers();
  const assign = useAssign();

  const awaitingApproval = useMemo(() => new Set((pending.data ?? []).map((c) => c.caseId)), [pending.data]);
  const cases = useMemo(() => unique(list.data?.pages.flatMap((p) => p.cases) ?? []), [list.data]);
  const nextCursor = list.data?.pages.at(-1)?.nextCursor ?? null;
  const total = counts.data?.counts[queue] ?? null;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  // The case page walks this order with j/k ("3 of 41").
  const href = `${location.pathname}${location.search}`;
  useEffect(() => {
    if (!list.data || list.isPlaceholderData) return;
    saveInboxNav({ ids: cases.map((c) => c.id), total, href, label: queueLabel[queue], query, nextCursor });
  }, [cases, total, href, queue, query, nextCursor, list.data, list.isPlaceholderData]);

  const [activeId, setActiveId] = useState<string | null>(null);
  const [focusActive, setFocusActive] = useState(false);
  const found = activeId ? cases.findIndex((c) => c.id === activeId) : -1;
  const activeIndex = cases.length === 0 ? -1 : Math.max(found, 0);
  const active = activeIndex >= 0 ? cases[activeIndex] : undefined;

  const move = (delta: number) => {
    if (cases.length === 0) return;
    const next = Math.min(cases.length - 1, Math.max(0, activeIndex + delta));
    if (next >= cases.length - PREFETCH_ROWS) loadMore();
    setActiveId(cases[next]!.id);
    setFocusActive(true);
  };
  const open = (hash = '') => {
    if (active) navigate(`/cases/${encodeURIComponent(active.id)}${hash}`);
  };
  useKeys([
    ['j', () => move(1)],
    ['k', () => move(-1)],
    [
      'enter',
      (e) => {
        // On a row, open the active case: after a quick j/k the focus may still be on the row it left (it
        // moves a frame later), and focusing a row makes it the active one anyway. On any other button or
        // link the browser's own Enter does the job.
        const target = e.target as HTMLElement | null;
        if (!target?.closest('a[data-case-id]') && target?.closest('a, button')) return false;
        open();
      },
    ],
    ['r', () => open('#reply')],
    ['e', () => open('#resolve')],
    [
      'a',
      () => {
        if (!active) return;
        if (active.assigneeId === session.user.id) {
          notifications.show({ message: `Case #${active.number} is already yours.` });
          return;
        }
        assign.mutate(
          { caseId: active.id, assigneeId: session.user.id },
          {
            onSuccess: () => notifications.show({ color: 'green', message: `Case #${active.number} is now assigned to you.` }),
            onError: (err) => notifications.show({ color: 'red', title: 'Could not assign', message: errorMessage(err) }),
          },
        );
      },
    ],
  ]);

  const withParam = (key: string, value: string | null, fallback: string) => {
    const p = new URLSearchParams(params);
    if (!value || value === fallback) p.delete(key);
    else p.set(key, value);
    const s = p.toString();
    return `/inbox${s ? `?${s}` : ''}`;
  };
  const hrefFor = (q: QueueId) => withParam('queue', q, 'all');
  const setStatus = (v: string | null) => navigate(withParam('status', v, 'open'), { replace: true });
  const setSort = (v: string | null) => navigate(withParam('sort', v, 'priority'), { replace: true });
  const userName = (id: string | null) => {
    if (!id) return null;
    if (id === session.user.id) return 'you';
    const u = users.data?.find((x) => x.id === id);
    return u ? (u.name ?? u.email) : 'a teammate';
  };

  const statusValue = statusOptions.some((o) => o.value === statusParam) ? statusParam : 'open';
  const statusText = statusOptions.find((o) => o.value === statusValue)?.label ?? 'Open';
  const order = sort === 'priority' ? 'most urgent first' : 'newest first';

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Stack gap={0}>
          <Title order={1} size="h2">
            Inbox
          </Title>
          <Text size="sm" c="dimmed" aria-live="polite">
            {total !== null
              ? `${total} ${total === 1 ? 'case' : 'cases'}${queue === 'all' ? '' : ` in ${queueLabel[queue]}`} · ${order} · press ? for shortcuts`
              : `${order.charAt(0).toUpperCase()}${order.slice(1)} · press ? for shortcuts`}
          </Text>
        </Stack>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label="Order"
            data={sortOptions}
            value={sort}
            onChange={setSort}
            allowDeselect={false}
            w={180}
            size="sm"
            comboboxProps={{ withinPortal: true }}
          />
          <Select
            label="Status"
            data={statusOptions}
            value={statusValue}
            onChange={setStatus}
            allowDeselect={false}
            w={240}
            size="sm"
            comboboxProps={{ withinPortal: true }}
          />
        </Group>
      </Group>
      <QueueNav current={queue} counts={counts.data?.counts} hrefFor={hrefFor} />
      {list.isPending ? (
        <LoadingState label="Loading cases…" />
      ) : list.isError && !list.data ? (
        <ErrorState title="Could not load the inbox" error={list.error} onRetry={() => list.refetch()} />
      ) : cases.length === 0 ? (
        <Empty title={`Nothing in ${queueLabel[queue]}`}>
          {queueHelp[queue]}. No case matches with status “{statusText}”.
        </Empty>
      ) : (
        <CaseList
          cases={cases}
          now={now}
          activeIndex={activeIndex}
          focusActive={focusActive}
          onActivate={(i) => setActiveId(cases[i]?.id ?? null)}
          assigneeName={userName}
          awaitingApproval={awaitingApproval}
          label={`${queueLabel[queue]} cases, ${order}`}
          hasMore={Boolean(hasNextPage)}
          loadingMore={isFetchingNextPage}
          onLoadMore={loadMore}
          loadMoreError={list.isFetchNextPageError ? list.error : null}
        />
      )}
    </Stack>
  );
}
