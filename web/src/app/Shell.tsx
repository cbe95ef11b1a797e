import { Anchor, AppShell, Badge, Burger, Button, Group, Kbd, Menu, NavLink, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense, useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { roleAtLeast, useSession, useSignOut } from '../features/auth/hooks/use-session.ts';
import { usePendingApprovals } from '../features/compensation/hooks/use-compensation.ts';
import { ShortcutsDialog } from '../ui/ShortcutsDialog.tsx';
import { useShortcutHelp, useShortcutSections } from '../ui/shortcuts.tsx';
import { LoadingState } from '../ui/states.tsx';
import { useKeys } from '../ui/use-keys.ts';

const globalShortcuts = [
  { keys: ['?'], description: 'Show these shortcuts' },
  { keys: ['g', 'i'], description: 'Go to the inbox' },
  { keys: ['g', 'a'], description: 'Go to approvals (managers)' },
];

function ApprovalsCount() {
  const pending = usePendingApprovals();
  if (!pending.data?.length) return null;
  return (
    <Badge size="sm" color="orange" variant="filled" aria-label={`${pending.data.length} waiting`}>
      {pending.data.length}
    </Badge>
  );
}

/** The signed-in frame: header with the store and the person, navigation by role, and the page. */
export function Shell() {
  const session = useSession();
  const [navOpen, nav] = useDisclosure(false);
  const [helpOpen, help] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const isManager = roleAtLeast(session.user.role, 'manager');
  const sections = useShortcutSections();
  useShortcutHelp('Everywhere', globalShortcuts);

  // A new page closes the phone menu and starts reading at its heading.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation
  useEffect(() => {
    nav.close();
  }, [location.pathname]);

  useKeys([['shift+?', () => help.open()]]);
  // `g` then a letter: a two-key sequence, as in most web apps.
  useEffect(() => {
    let armed = 0;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('[aria-modal="true"]')) return;
      if (e.key === 'g') {
        armed = e.timeStamp;
        return;
      }
      if (armed && e.timeStamp - armed < 1500) {
        if (e.key === 'i') navigate('/inbox');
        if (e.key === 'a' && isManager) navigate('/approvals');
        armed = 0;
        e.stopImmediatePropagation();
      }
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [navigate, isManager]);

  const links = [
    { to: '/inbox', label: 'Inbox', show: true },
    { to: '/approvals', label: 'Approvals', show: isManager, extra: <ApprovalsCount /> },
    { to: '/incidents', label: 'Incidents', show: true },
    { to: '/community', label: 'Community', show: true },
    { to: '/analytics', label: 'Analytics', show: isManager },
    { to: '/policy', label: 'Policy', show: true },
    { to: '/settings', label: 'Settings', show: true },
  ];
  const active = (to: string) =>
    location.pathname === to || location.pathname.startsWith(`${to}/`) || (to === '/inbox' && location.pathname.startsWith('/cases/'));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !navOpen } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Anchor href="#main" className="skip-link">
              Skip to content
            </Anchor>
            <Burger
              opened={navOpen}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={navOpen ? 'Close navigation' : 'Open navigation'}
            />
            <Anchor component={Link} to="/inbox" underline="never" c="inherit" fw={700} fz="lg">
              Amends
            </Anchor>
            <Text c="dimmed" size="sm" visibleFrom="xs" truncate>
              {session.store.name}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Button variant="subtle" size="compact-sm" onClick={help.open} visibleFrom="sm" aria-label="Keyboard shortcuts">
              <Kbd size="xs">?</Kbd>
            </Button>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton aria-label={`Account: ${session.user.name ?? session.user.email}`} px="xs" py={4}>
                  <Stack gap={0} align="flex-end">
                    <Text size="sm" fw={600} lh={1.2} truncate maw={180}>
                      {session.user.name ?? session.user.email}
                    </Text>
                    <Text size="xs" c="dimmed" lh={1.2}>
                      {session.user.role}
                    </Text>
                  </Stack>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{session.user.email}</Menu.Label>
                <Menu.Item
                  onClick={() =>
                    signOut.mutate(undefined, {
                      onSettled: () => navigate('/sign-in', { replace: true }),
                    })
                  }
                >
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {links
          .filter((l) => l.show)
          .map((l) => (
            <NavLink
              key={l.to}
              component={Link}
              to={l.to}
              label={l.label}
              active={active(l.to)}
              aria-current={active(l.to) ? 'page' : undefined}
              rightSection={l.extra}
              variant="light"
            />
          ))}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Suspense fallback={<LoadingState label="Loading…" />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
      <ShortcutsDialog opened={helpOpen} onClose={help.close} sections={[...sections].reverse()} />
    </AppShell>
  );
}
