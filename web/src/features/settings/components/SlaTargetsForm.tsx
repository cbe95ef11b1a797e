import { Group, NativeSelect, NumberInput, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import type { Priority } from '../../../api/types.ts';
import { humanize } from '../../../ui/format.ts';
import { fieldErrors } from '../field-errors.ts';
import { useSaveSettings } from '../hooks/use-settings.ts';
import { priorities, type SettingsResponse } from '../types.ts';
import { SaveBar, SettingsSection } from './SettingsSection.tsx';

type Metric = 'firstResponse' | 'resolution';
type Unit = 'min' | 'h';
interface Cell {
  value: number | string;
  unit: Unit;
}
interface Draft {
  targets: Record<Metric, Record<Priority, Cell>>;
  repeatDays: number | string;
}

const metrics: { key: Metric; label: string }[] = [
  { key: 'firstResponse', label: 'First reply' },
  { key: 'resolution', label: 'Resolution' },
];
const MAX_MINUTES = 525_600;

const cellOf = (minutes: number): Cell => (minutes % 60 === 0 ? { value: minutes / 60, unit: 'h' } : { value: minutes, unit: 'min' });
const minutesOf = (c: Cell): number | null => {
  const n = typeof c.value === 'number' ? c.value : Number.parseFloat(c.value);
  if (!Number.isFinite(n) || n <= 0) return null;
  return Math.round(c.unit === 'h' ? n * 60 : n);
};

function draftOf(s: SettingsResponse): Draft {
  const targets = {} as Draft['targets'];
  for (const m of metrics) {
    targets[m.key] = Object.fromEntries(priorities.map((p) => [p, cellOf(s.effective.sla[m.key][p])])) as Record<Priority, Cell>;
  }
  return { targets, repeatDays: s.effective.repeatFailureWindowDays };
}

/** First-reply and resolution targets per priority, in business time, and the repeat-failure window. */
export function SlaTargetsForm({ data, canEdit }: { data: SettingsResponse; canEdit: boolean }) {
  const saved = useMemo(() => draftOf(data), [data]);
  const [draft, setDraft] = useState(saved);
  const [local, setLocal] = useState<Record<string, string>>({});
  const save = useSaveSettings();
  const errors = fieldErrors(
    save.error,
    (p) => /^sla\.(firstResponse|resolution)\.\w+$/.test(p) || p === 'guardrails.repeatFailureWindowDays',
  );
  const fieldError = (path: string) => local[path] ?? errors.at(path);
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const channelOverrides = Object.keys(data.settings.sla?.byChannel ?? {});

  const setCell = (m: Metric, p: Priority, c: Partial<Cell>) =>
    setDraft((d) => ({ ...d, targets: { ...d.targets, [m]: { ...d.targets[m], [p]: { ...d.targets[m][p], ...c } } } }));

  const submit = () => {
    const problems: Record<string, string> = {};
    const minutes = {} as Record<Metric, Record<Priority, number>>;
    for (const m of metrics) {
      minutes[m.key] = {} as Record<Priority, number>;
      for (const p of priorities) {
        const v = minutesOf(draft.targets[m.key][p]);
        if (v === null || v > MAX_MINUTES) problems[`sla.${m.key}.${p}`] = 'Give a positive time of at most a year';
        else minutes[m.key][p] = v;
      }
    }
    const days = typeof draft.repeatDays === 'number' ? draft.repeatDays : Number.parseInt(draft.repeatDays, 10);
    if (!Number.isInteger(days) || days < 1 || days > 3650) problems['guardrails.repeatFailureWindowDays'] = 'Give 1 to 3650 days';
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    save.mutate(
      (current) => {
        // Only what differs from what cases use now is written; untouched targets keep following the defaults.
        const sla = { ...current.sla };
        for (const m of metrics) {
          const stored = { ...(current.sla?.[m.key] ?? {}) };
          for (const p of priorities) if (minutes[m.key][p] !== data.effective.sla[m.key][p]) stored[p] = minutes[m.key][p];
          if (Object.keys(stored).length > 0) sla[m.key] = stored;
        }
        const next = { ...current, ...(Object.keys(sla).length > 0 ? { sla } : {}) };
        if (days !== data.effective.repeatFailureWindowDays) next.guardrails = { repeatFailureWindowDays: days };
        return next;
      },
      {
        onSuccess: (r) => {
          setDraft(draftOf(r));
          notifications.show({ color: 'green', title: 'SLA targets saved', message: 'New cases get these targets.' });
        },
      },
    );
  };

  return (
    <SettingsSection
      title="SLA targets"
      description="How soon a person replies and the case is resolved, by priority, counted in business time. New cases use the targets saved here."
      readOnlyReason={canEdit ? null : 'Only managers and admins can change SLA targets.'}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap="md">
          <Stack gap={0} role="list" aria-label="SLA targets by priority">
            {priorities.map((p) => (
              <Stack key={p} role="listitem" gap={2} py="xs" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
                <Text fw={600} size="sm">
                  {humanize(p)}
                </Text>
                <Group align="flex-start" gap="lg">
                  {metrics.map((m) => {
                    const c = draft.targets[m.key][p];
                    return (
                      <Group key={m.key} gap={4} wrap="nowrap" align="flex-end">
                        <NumberInput
                          label={m.label}
                          aria-label={`${humanize(p)}: ${m.label.toLowerCase()}`}
                          value={c.value}
                          onChange={(v) => setCell(m.key, p, { value: v })}
                          min={0}
                          decimalScale={c.unit === 'h' ? 2 : 0}
                          w={96}
                          hideControls
                          disabled={!canEdit}
                          error={fieldError(`sla.${m.key}.${p}`)}
                        />
                        <NativeSelect
                          aria-label={`${humanize(p)}: ${m.label.toLowerCase()} unit`}
                          data={[
                            { value: 'min', label: 'minutes' },
                            { value: 'h', label: 'hours' },
                          ]}
                          value={c.unit}
                          onChange={(e) => setCell(m.key, p, { unit: e.currentTarget.value as Unit })}
                          disabled={!canEdit}
                          w={106}
                          mb={fieldError(`sla.${m.key}.${p}`) ? 22 : 0}
                        />
                      </Group>
                    );
                  })}
                </Group>
              </Stack>
            ))}
          </Stack>
          {channelOverrides.length > 0 ? (
            <Text size="sm" c="dimmed">
              {channelOverrides.map(humanize).join(', ')} {channelOverrides.length === 1 ? 'has' : 'have'} its own targets (set through the
              API); they are kept.
            </Text>
          ) : null}
          <NumberInput
            label="Repeat-failure window (days)"
            description="A failure within this many days of the customer's last one goes to a manager: a repeat failure is never routine."
            value={draft.repeatDays}
            onChange={(v) => setDraft((d) => ({ ...d, repeatDays: v }))}
            min={1}
            max={3650}
            allowDecimal={false}
            maw={420}
            disabled={!canEdit}
            error={fieldError('guardrails.repeatFailureWindowDays')}
          />
          <SaveBar
            canEdit={canEdit}
            dirty={dirty}
            saving={save.isPending}
            error={Object.keys(local).length > 0 ? 'Some values are not valid; see the marked fields.' : errors.other}
            onDiscard={() => {
              setDraft(saved);
              setLocal({});
              save.reset();
            }}
          />
        </Stack>
      </form>
    </SettingsSection>
  );
}
