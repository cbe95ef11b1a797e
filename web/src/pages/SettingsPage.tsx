import { Stack, Tabs, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { roleAtLeast, useSession } from '../features/auth/hooks/use-session.ts';
import { AckTemplatesForm } from '../features/settings/components/AckTemplatesForm.tsx';
import { BusinessHoursForm } from '../features/settings/components/BusinessHoursForm.tsx';
import { ConnectionsPanel } from '../features/settings/components/ConnectionsPanel.tsx';
import { SavedRepliesForm } from '../features/settings/components/SavedRepliesForm.tsx';
import { SlaTargetsForm } from '../features/settings/components/SlaTargetsForm.tsx';
import { StoreProfileForm } from '../features/settings/components/StoreProfileForm.tsx';
import { TokensPanel } from '../features/settings/components/TokensPanel.tsx';
import { useStoreProfile, useStoreSettings, useTemplateCatalog } from '../features/settings/hooks/use-settings.ts';
import { PeoplePanel } from '../features/team/components/PeoplePanel.tsx';
import { ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

const tabs = [
  { value: 'store', label: 'Store', admin: false },
  { value: 'hours', label: 'Hours & SLAs', admin: false },
  { value: 'templates', label: 'Replies', admin: false },
  { value: 'people', label: 'People', admin: false },
  { value: 'tokens', label: 'API tokens', admin: true },
  { value: 'connections', label: 'Connections', admin: true },
] as const;

/**
 * The store's settings, one tab per area (kept in the URL), each section with its own Save. Agents read;
 * managers also edit hours, SLAs and replies; admins also the store profile, people, tokens and connections.
 */
export function SettingsPage() {
  usePageTitle('Settings');
  const session = useSession();
  const isManager = roleAtLeast(session.user.role, 'manager');
  const isAdmin = session.user.role === 'admin';
  const [params, setParams] = useSearchParams();
  const visible = tabs.filter((t) => !t.admin || isAdmin);
  const tab = visible.find((t) => t.value === params.get('tab'))?.value ?? 'store';
  const store = useStoreProfile();
  const settings = useStoreSettings();
  const catalog = useTemplateCatalog();

  const body = () => {
    if (tab === 'people') return <PeoplePanel canManage={isAdmin} />;
    if (tab === 'tokens') return <TokensPanel />;
    if (tab === 'connections') return <ConnectionsPanel />;
    if (store.isPending) return <LoadingState label="Loading the store…" />;
    if (store.isError) return <ErrorState title="Could not load the store" error={store.error} onRetry={() => store.refetch()} />;
    if (tab === 'store') return <StoreProfileForm store={store.data} canEdit={isAdmin} />;
    if (settings.isPending) return <LoadingState label="Loading settings…" />;
    if (settings.isError)
      return <ErrorState title="Could not load the settings" error={settings.error} onRetry={() => settings.refetch()} />;
    if (tab === 'hours') {
      return (
        <Stack gap="md">
          <BusinessHoursForm data={settings.data} storeTimezone={store.data.timezone} canEdit={isManager} />
          <SlaTargetsForm data={settings.data} canEdit={isManager} />
        </Stack>
      );
    }
    if (catalog.isPending) return <LoadingState label="Loading templates…" />;
    if (catalog.isError) return <ErrorState title="Could not load the templates" error={catalog.error} onRetry={() => catalog.refetch()} />;
    return (
      <Stack gap="md">
        <AckTemplatesForm data={settings.data} catalog={catalog.data} canEdit={isManager} />
        <SavedRepliesForm data={settings.data} catalog={catalog.data} canEdit={isManager} />
      </Stack>
    );
  };

  return (
    <Stack gap="md" maw={1100}>
      <Stack gap={2}>
        <Title order={1} size="h2">
          Settings
        </Title>
        <Text size="sm" c="dimmed">
          {isAdmin
            ? 'You can change everything here.'
            : isManager
              ? 'You can change business hours, SLA targets and replies; an admin manages the store profile, people and tokens.'
              : 'You can read these settings; managers and admins change them.'}
        </Text>
      </Stack>
      <Tabs
        value={tab}
        onChange={(v) => {
          if (!v) return;
          setParams(
            (p) => {
              p.set('tab', v);
              return p;
            },
            { replace: true },
          );
        }}
        keepMounted={false}
      >
        <Tabs.List aria-label="Settings areas">
          {visible.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {visible.map((t) => (
          <Tabs.Panel key={t.value} value={t.value} pt="md">
            {t.value === tab ? body() : null}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
