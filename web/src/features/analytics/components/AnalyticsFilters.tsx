import { Group, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { kindLabel, tierLabel } from '../../cases/labels.ts';
import { useUsers } from '../../team/hooks/use-users.ts';
import type { AnalyticsView, FilterKey, Period } from '../filters.ts';

const channels = ['email', 'chat', 'portal', 'community', 'phone', 'social', 'api', 'review'];
const sourceLabel: Record<string, string> = { reactive: 'Reported by the customer', proactive: 'Found first (proactive)' };
const channelLabel = (c: string) => (c === 'api' ? 'API' : c.charAt(0).toUpperCase() + c.slice(1));

/** Period and filters; each change goes to the URL (`onChange(key, value)`, null removes it). */
export function AnalyticsFilters({
  view,
  range,
  onChange,
}: {
  view: AnalyticsView;
  range: { from: string; to: string };
  onChange: (changes: Record<string, string | null>) => void;
}) {
  const users = useUsers();
  const filter = (key: FilterKey, label: string, data: { value: string; label: string }[]) => (
    <Select
      key={key}
      label={label}
      placeholder="All"
      size="xs"
      w={{ base: '100%', xs: 170 }}
      data={data}
      value={view.filters[key] ?? null}
      onChange={(v) => onChange({ [key]: v })}
      clearable
      searchable={data.length > 8}
      comboboxProps={{ withinPortal: true }}
    />
  );
  return (
    <Stack gap="xs" component="section" aria-label="Period and filters">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <SegmentedControl
          size="xs"
          value={view.period}
          onChange={(v) =>
            onChange(v === 'custom' ? { period: v, from: range.from, to: range.to } : { period: v as Period, from: null, to: null })
          }
          data={[
            { value: '30', label: '30 days' },
            { value: '90', label: '90 days' },
            { value: '365', label: '365 days' },
            { value: 'custom', label: 'Custom' },
          ]}
          aria-label="Period"
        />
        {view.period === 'custom' ? (
          <>
            <TextInput
              type="date"
              size="xs"
              label="From"
              value={view.from ?? range.from}
              max={view.to ?? range.to}
              onChange={(e) => e.currentTarget.value && onChange({ from: e.currentTarget.value })}
            />
            <TextInput
              type="date"
              size="xs"
              label="To"
              value={view.to ?? range.to}
              min={view.from ?? range.from}
              onChange={(e) => e.currentTarget.value && onChange({ to: e.currentTarget.value })}
            />
          </>
        ) : null}
      </Group>
      <Group gap="sm" align="flex-end" wrap="wrap">
        {filter(
          'channel',
          'Channel',
          channels.map((c) => ({ value: c, label: channelLabel(c) })),
        )}
        {filter(
          'kind',
          'Kind',
          Object.entries(kindLabel).map(([value, label]) => ({ value, label })),
        )}
        {filter(
          'tier',
          'Tier',
          Object.entries(tierLabel).map(([value, label]) => ({ value, label })),
        )}
        {filter(
          'source',
          'Source',
          Object.entries(sourceLabel).map(([value, label]) => ({ value, label })),
        )}
        {filter(
          'agent',
          'Agent',
          (users.data ?? []).map((u) => ({ value: u.id, label: u.name ?? u.email })),
        )}
      </Group>
    </Stack>
  );
}
