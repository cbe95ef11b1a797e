import { Code, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { formatDate } from '../../../ui/format.ts';
import { fieldErrors } from '../field-errors.ts';
import { useUpdateStore } from '../hooks/use-settings.ts';
import { timeZoneOptions } from '../time-zones.ts';
import type { StoreProfile } from '../types.ts';
import { SaveBar, SettingsSection } from './SettingsSection.tsx';

/** The store's name and time zone (admins); the currency is shown, fixed once money is recorded in it. */
export function StoreProfileForm({ store, canEdit }: { store: StoreProfile; canEdit: boolean }) {
  const [name, setName] = useState(store.name);
  const [timezone, setTimezone] = useState(store.timezone);
  const update = useUpdateStore();
  const zones = useMemo(() => timeZoneOptions(store.timezone), [store.timezone]);
  const dirty = name.trim() !== store.name || timezone !== store.timezone;
  const errors = fieldErrors(update.error, (p) => p === 'name' || p === 'timezone');

  const discard = () => {
    setName(store.name);
    setTimezone(store.timezone);
    update.reset();
  };

  return (
    <SettingsSection
      title="Store profile"
      description="The name customers see in replies, and the time zone business hours and reports use unless set otherwise."
      readOnlyReason={canEdit ? null : 'Only an admin can change the store profile.'}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate(
            { ...(name.trim() !== store.name ? { name: name.trim() } : {}), ...(timezone !== store.timezone ? { timezone } : {}) },
            {
              onSuccess: (s) => {
                setName(s.name);
                setTimezone(s.timezone);
                notifications.show({ color: 'green', title: 'Store profile saved', message: `${s.name} · ${s.timezone}` });
              },
            },
          );
        }}
      >
        <Stack gap="sm">
          <Group grow align="flex-start" wrap="wrap">
            <TextInput
              label="Store name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              disabled={!canEdit}
              required
              maxLength={200}
              error={errors.at('name')}
              miw={220}
            />
            <Select
              label="Time zone"
              data={zones}
              value={timezone}
              onChange={(v) => v && setTimezone(v)}
              searchable
              allowDeselect={false}
              nothingFoundMessage="No such time zone"
              disabled={!canEdit}
              error={errors.at('timezone')}
              miw={220}
            />
          </Group>
          <Text size="sm">
            Store id <Code>{store.id}</Code> · currency <b>{store.currency}</b> · since {formatDate(store.createdAt)}
          </Text>
          <SaveBar canEdit={canEdit} dirty={dirty} saving={update.isPending} error={errors.other} onDiscard={discard} />
        </Stack>
      </form>
    </SettingsSection>
  );
}
