import { Anchor, Badge, Button, Grid, Group, Kbd, Menu, Stack, Tabs, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ApiError, errorMessage } from '../api/client.ts';
import type { CaseDetail, CaseStatus } from '../api/types.ts';
import { roleAtLeast, useSession } from '../features/auth/hooks/use-session.ts';
import { EmotionLabel, KindLabel, PriorityBadge, StatusBadge, TierBadge } from '../features/cases/components/CaseBadges.tsx';
import { CaseTimeline } from '../features/cases/components/CaseTimeline.tsx';
import { Conversation } from '../features/cases/components/Conversation.tsx';
import { ResolveDialog } from '../features/cases/components/ResolveDialog.tsx';
import { SlaClocks } from '../features/cases/components/SlaClocks.tsx';
import { GuardrailsPanel, TriagePanel } from '../features/cases/components/TriagePanel.tsx';
import { useCase, useCaseActions } from '../features/cases/hooks/use-cases.ts';
import { useInboxPosition } from '../features/cases/hooks/use-inbox-position.ts';
import { nextStatuses, statusLabel } from '../features/cases/labels.ts';
import { OffersPanel } from '../features/compensation/components/OffersPanel.tsx';
import { CustomerPanel } from '../features/customers/components/CustomerPanel.tsx';
import { useCustomer } from '../features/customers/hooks/use-customer.ts';
import { FollowUpPanel } from '../features/followups/components/FollowUpPanel.tsx';
import { PlaybooksPanel } from '../features/playbooks/components/PlaybooksPanel.tsx';
import { ReplyComposer } from '../features/replies/components/ReplyComposer.tsx';
import { useUsers } from '../features/team/hooks/use-users.ts';
import { useShortcutHelp } from '../ui/shortcuts.tsx';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { useKeys } from '../ui/use-keys.ts';
import { useNow } from '../ui/use-now.ts';
import { usePageTitle } from '../ui/use-page-title.ts';

const caseShortcuts = [
  { keys: ['j'], description: 'Next case in the inbox order' },
  { keys: ['k'], description: 'Previous case in the inbox order' },
  { keys: ['r'], description: 'Write a reply' },
  { keys: ['Ctrl', 'Enter'], description: 'Send the reply (or add the note)' },
  { keys: ['e'], description: 'Resolve the case' },
  { keys: ['a'], description: 'Assign the case to me' },
  { keys: ['u'], description: 'Back to the inbox' },
];

const isOpen = (s: CaseStatus) => s !== 'resolved' && s !== 'closed';

export function CasePage() {
  const { id = '' } = useParams();
  const q = useCase(id);
  usePageTitle(q.data ? `#${q.data.number} ${q.data.subject ?? ''}`.trim() : 'Case');
  if (q.isPending) return <LoadingState label="Loading the case…" />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404) {
      return (
        <Empty
          title="No such case"
          action={
            <Button component={Link} to="/inbox">
              Back to the inbox
            </Button>
          }
        >
          This store has no case with the id {id}.
        </Empty>
      );
    }
    return <ErrorState title="Could not load the case" error={q.error} onRetry={() => q.refetch()} />;
  }
  return <CaseView c={q.data} />;
}

function CaseView({ c }: { c: CaseDetail }) {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const now = useNow(30_000);
  const users = useUsers();
  const customer = useCustomer(c.customerId);
  const actions = useCaseActions(c.id);
  const composer = useRef<HTMLTextAreaElement | null>(null);
  const [resolveOpen, resolve] = useDisclosure(false);
  const position = useInboxPosition(c.id);
  const inboxHref = position.nav && position.index >= 0 ? position.nav.href : '/inbox';
  useShortcutHelp('Case', caseShortcuts);

  const userName = (uid: string | null) => {
    if (!uid) return 'nobody';
    if (uid === session.user.id) return 'you';
    const u = users.data?.find((x) => x.id === uid);
    return u ? (u.name ?? u.email) : 'a teammate';
  };
  const customerName = customer.data?.name ?? customer.data?.email ?? 'the customer';
  const inbound = c.messages.find((m) => m.kind === 'inbound');
  const locale = c.acknowledgement?.locale ?? inbound?.triage?.language.value ?? undefined;
  const open = isOpen(c.status);

  const focusComposer = () => {
    composer.current?.focus();
    composer.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  };
  const assignToMe = () => {
    if (c.assigneeId === session.user.id) return;
    actions.assign.mutate(session.user.id, {
      onSuccess: () => notifications.show({ color: 'green', message: `Case #${c.number} is now assigned to you.` }),
      onError: (err) => notifications.show({ color: 'red', title: 'Could not assign', message: errorMessage(err) }),
    });
  };
  const move = (to: CaseStatus, reason?: string) =>
    actions.setStatus.mutateAsync({ status: to, ...(reason ? { reason } : {}) }).then(
      () => notifications.show({ color: 'green', message: `Case #${c.number}: ${statusLabel[to].toLowerCase()}.` }),
      (err) => {
        notifications.show({ color: 'red', title: 'Status not changed', message: errorMessage(err) });
        throw err;
      },
    );
  const resolveWith = async (reason: string) => {
    // A brand-new case is picked up before it can be resolved (the lifecycle has no new → resolved).
    if (c.status === 'new') await actions.setStatus.mutateAsync({ status: 'in_progress' });
    await actions.setStatus.mutateAsync({ status: 'resolved', reason });
    notifications.show({ color: 'green', message: `Case #${c.number} is resolved.` });
  };

  const goTo = (id: string | null) => {
    if (id) navigate(`/cases/${encodeURIComponent(id)}`);
  };
  useKeys([
    ['j', () => goTo(position.next)],
    ['k', () => goTo(position.previous)],
    ['r', focusComposer],
    ['e', () => open && resolve.open()],
    ['a', assignToMe],
    ['u', () => navigate(inboxHref)],
  ]);

  // Arriving with #reply or #resolve (from the inbox's r / e) goes straight there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per arrival
  useEffect(() => {
    if (location.hash === '#reply') requestAnimationFrame(focusComposer);
    if (location.hash === '#resolve' && open) resolve.open();
  }, [location.key]);

  const others = nextStatuses[c.status].filter((s) => s !== 'resolved');

  return (
    <Stack gap="md">
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Anchor component={Link} to={inboxHref} size="sm">
            ← Inbox
          </Anchor>
          {position.index >= 0 ? (
            <Group gap={6} wrap="nowrap" component="nav" aria-label="Cases in the inbox order">
              <Button
                size="compact-sm"
                variant="default"
                disabled={!position.previous}
                onClick={() => goTo(position.previous)}
                aria-label="Previous case (k)"
              >
                ‹{' '}
                <Kbd size="xs" ml={4}>
                  k
                </Kbd>
              </Button>
              <Text size="sm" c="dimmed" aria-live="polite" data-testid="case-position">
                {position.index + 1} of {position.total} · {position.nav?.label}
              </Text>
              <Button
                size="compact-sm"
                variant="default"
                disabled={!position.next}
                onClick={() => goTo(position.next)}
                aria-label="Next case (j)"
              >
                <Kbd size="xs" mr={4}>
                  j
                </Kbd>{' '}
                ›
              </Button>
            </Group>
          ) : null}
        </Group>
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
          <Stack gap={4} miw={0} style={{ flex: 1 }}>
            <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
              #{c.number} {c.subject ?? 'No subject'}
            </Title>
            <Group gap={6} wrap="wrap">
              <StatusBadge status={c.status} />
              <PriorityBadge priority={c.priority} />
              <TierBadge tier={c.customerTier} />
              {c.queue ? (
                <Badge variant="outline" color="gray" size="sm">
                  {c.queue} queue
                </Badge>
              ) : null}
              <Text size="sm" c="dimmed">
                <KindLabel kind={c.kind} severity={c.severity} />
                {c.emotion ? (
                  <>
                    {' · '}
                    <EmotionLabel emotion={c.emotion} />
                  </>
                ) : null}
                {' · '}
                {c.source === 'proactive' ? 'found by Amends' : `from the customer by ${c.channel ?? 'unknown channel'}`}
                {' · '}
                {c.assigneeId ? `assigned to ${userName(c.assigneeId)}` : 'unassigned'}
              </Text>
            </Group>
          </Stack>
          <Group gap="xs">
            {c.assigneeId !== session.user.id ? (
              <Button variant="default" onClick={assignToMe} loading={actions.assign.isPending} rightSection={<Kbd size="xs">a</Kbd>}>
                Assign to me
              </Button>
            ) : null}
            {open ? (
              <Button color="green" onClick={resolve.open} rightSection={<Kbd size="xs">e</Kbd>}>
                Resolve
              </Button>
            ) : null}
            {others.length > 0 ? (
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button variant="default" loading={actions.setStatus.isPending}>
                    {open ? 'Status' : 'Reopen…'}
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Label>Move to</Menu.Label>
                  {others.map((s) => (
                    <Menu.Item key={s} onClick={() => void move(s).catch(() => undefined)}>
                      {statusLabel[s]}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
            ) : null}
          </Group>
        </Group>
        <SlaClocks clocks={c.sla} now={now} />
      </Stack>

      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
          <Stack gap="md">
            <Tabs defaultValue="conversation">
              <Tabs.List>
                <Tabs.Tab value="conversation">Conversation ({c.messages.length})</Tabs.Tab>
                <Tabs.Tab value="timeline">Timeline ({c.timeline.length})</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="conversation" pt="sm">
                <Conversation caseId={c.id} messages={c.messages} customer={customerName} channel={c.channel} userName={userName} />
              </Tabs.Panel>
              <Tabs.Panel value="timeline" pt="sm">
                <CaseTimeline entries={c.timeline} userName={userName} />
              </Tabs.Panel>
            </Tabs>
            <ReplyComposer
              key={c.id}
              caseId={c.id}
              customer={customerName}
              guidance={c.guidance}
              acknowledgement={c.acknowledgement}
              locale={locale}
              send={(m) => actions.addMessage.mutateAsync(m)}
              textareaRef={composer}
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
          <Stack gap="md">
            <CustomerPanel customerId={c.customerId} tier={c.customerTier} caseId={c.id} orderId={c.orderId} userName={userName} />
            <GuardrailsPanel c={c} />
            <FollowUpPanel
              caseId={c.id}
              version={c.updatedAt}
              userName={userName}
              canClose={(f) => f.assigneeId === session.user.id || roleAtLeast(session.user.role, 'manager')}
            />
            <OffersPanel caseId={c.id} closed={c.status === 'closed'} userName={userName} />
            <PlaybooksPanel
              caseId={c.id}
              version={c.updatedAt}
              resolved={!open}
              canSave={roleAtLeast(session.user.role, 'manager')}
              composer={composer}
            />
            <TriagePanel c={c} />
          </Stack>
        </Grid.Col>
      </Grid>
      <ResolveDialog opened={resolveOpen} onClose={resolve.close} onResolve={resolveWith} number={c.number} />
    </Stack>
  );
}
