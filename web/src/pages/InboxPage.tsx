import { Alert, Group, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { errorMessage } from '../api/client.ts';
import { type CaseStatus, caseStatuses, openStatuses } from '../api/types.ts';
import { useSession } from '../features/auth/hooks/use-session.ts';
import { CaseList } from '../features/cases/components/CaseList.tsx';
import { QueueNav } from '../features/cases/components/QueueNav.tsx';
import { INBOX_CAP, useAssign, useCaseList } from '../features/cases/hooks/use-cases.ts';
import { statusLabel } from '../features/cases/labels.ts';
import { byPriority, inQueue, isQueueId, type QueueId, queueHelp, queueIds, queueLabel } from '../features/cases/queues.ts';
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

function parseStatuses(v: string | null): CaseStatus[] {
  if (!v || v === 'open') return [...openStatuses];
  const list = v.split(',').filter((s): s is CaseStatus => (caseStatuses as readonly string[]).includes(s));
  return list.length > 0 ? list : [...openStatuses];
}

const inboxShortcuts = [
  { keys: ['j'], description: 'Next case' },
  { keys: ['k'], description: 'Previous case' },
  { keys: ['Enter'], description: 'Open the case' },
  { keys: ['r'], description: 'Open the case and reply' },
  { keys: ['e'], description: 'Open the case and resolve it' },
  { keys: ['a'], description: 'Assign the case to me' },
];

export function InboxPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queue: QueueId = isQueueId(params.get('queue')) ? (params.get('queue') as QueueId) : 'all';
  const statusParam = params.get('status') ?? 'open';
  const statuses = parseStatuses(statusParam);
  const now = useNow(30_000);
  usePageTitle(`Inbox · ${queueLabel[queue]}`);
  useShortcutHelp('Inbox', inboxShortcuts);

  const list = useCaseList(statuses);
  const pending = usePendingApprovals();
  const users = useUsers();
  const assign = useAssign();

  const awaitingApproval = useMemo(() => new Set((pending.data ?? []).map((c) => c.caseId)), [pending.data]);
  const all = list.data?.cases;
  const ctx = useMemo(() => ({ userId: session.user.id, now, awaitingApproval }), [session.user.id, now, awaitingApproval]);
  const counts = useMemo(() => {
    const out = Object.fromEntries(queueIds.map((q) => [q, 0])) as Record<QueueId, number>;
    for (const c of all ?? []) for (const q of queueIds) if (inQueue(q, c, ctx)) out[q]++;
    return out;
  }, [all, ctx]);
  const cases = useMemo(() => (all ?? []).filter((c) => inQueue(queue, c, ctx)).sort(byPriority), [all, queue, ctx]);

  const [activeId, setActiveId] = useState<string | null>(null);
  const [focusActive, setFocusActive] = useState(false);
  const found = activeId ? cases.findIndex((c) => c.id === activeId) : -1;
  const activeIndex = cases.length === 0 ? -1 : Math.max(found, 0);
  const active = activeIndex >= 0 ? cases[activeIndex] : undefined;

  const move = (delta: number) => {
    if (cases.length === 0) return;
    const next = Math.min(cases.length - 1, Math.max(0, activeIndex + delta));
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
        // On a row, a button or a link the browser's own Enter does the job.
        if ((e.target as HTMLElement | null)?.closest('a, button')) return false;
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

  const hrefFor = (q: QueueId) => {
    const p = new URLSearchParams(params);
    if (q === 'all') p.delete('queue');
    else p.set('queue', q);
    const s = p.toString();
    return `/inbox${s ? `?${s}` : ''}`;
  };
  const setStatus = (v: string | null) => {
    const p = new URLSearchParams(params);
    if (!v || v === 'open') p.delete('status');
    else p.set('status', v);
    navigate(`/inbox${p.toString() ? `?${p}` : ''}`, { replace: true });
  };
  const userName = (id: string | null) => {
    if (!id) return null;
    if (id === session.user.id) return 'you';
    const u = users.data?.find((x) => x.id === id);
    return u ? (u.name ?? u.email) : 'a teammate';
  };

  const statusValue = statusOptions.some((o) => o.value === statusParam) ? statusParam : 'open';
  const statusText = statusOptions.find((o) => o.value === statusValue)?.label ?? 'Open';

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Stack gap={0}>
          <Title order={1} size="h2">
            Inbox
          </Title>
          <Text size="sm" c="dimmed" aria-live="polite">
            {list.data
              ? `${cases.length} ${queue === 'all' ? '' : `of ${all?.length ?? 0} `}cases · most urgent first · press ? for shortcuts`
              : 'Most urgent first · press ? for shortcuts'}
          </Text>
        </Stack>
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
      <QueueNav current={queue} counts={counts} hrefFor={hrefFor} />
      {list.data?.capped ? (
        <Alert color="yellow" variant="light">
          Showing the newest {INBOX_CAP} cases with this status; narrow the status to see the rest.
        </Alert>
      ) : null}
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
          label={`${queueLabel[queue]} cases, most urgent first`}
        />
      )}
    </Stack>
  );
}
