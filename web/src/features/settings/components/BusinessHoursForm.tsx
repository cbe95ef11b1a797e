import { ActionIcon, Button, Group, Pill, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { formatDate } from '../../../ui/format.ts';
import { fieldErrors } from '../field-errors.ts';
import { useSaveSettings } from '../hooks/use-settings.ts';
import { timeZoneOptions } from '../time-zones.ts';
import type { Interval, SettingsResponse, Weekday } from '../types.ts';
import { weekdays } from '../types.ts';
import { SaveBar, SettingsSection } from './SettingsSection.tsx';

const dayNames: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};
/** The zone select's value for "follow the store's time zone". */
const STORE_ZONE = '';
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

interface Draft {
  timezone: string;
  weekly: Record<Weekday, Interval[]>;
  holidays: string[];
}

function draftOf(s: SettingsResponse): Draft {
  const cal = s.effective.calendar;
  const weekly = Object.fromEntries(weekdays.map((d) => [d, (cal.weekly[d] ?? []).map((i) => ({ ...i }))])) as Record<Weekday, Interval[]>;
  return { timezone: s.settings.businessHours?.timezone ?? STORE_ZONE, weekly, holidays: [...cal.holidays].sort() };
}

const same = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Opening hours per weekday (several intervals a day, or closed), their time zone and whole-day holidays.
 * SLA clocks only run while the store is open.
 */
export function BusinessHoursForm({ data, storeTimezone, canEdit }: { data: SettingsResponse; storeTimezone: string; canEdit: boolean }) {
  const saved = useMemo(() => draftOf(data), [data]);
  const [draft, setDraft] = useState(saved);
  const [holiday, setHoliday] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const save = useSaveSettings();
  const zones = useMemo(() => timeZoneOptions(storeTimezone, draft.timezone), [storeTimezone, draft.timezone]);
  const dirty = !same(draft, saved);
  const errors = fieldErrors(save.error, (p) => /^businessHours\.(timezone|holidays\[\d+\]|weekly\.\w{3}\[\d+\]\.(start|end))$/.test(p));
  const fieldError = (path: string) => local[path] ?? errors.at(path);
  const holidayError = draft.holidays
    .map((h, n) => errors.at(`businessHours.holidays[${n}]`) && `${h}: ${errors.at(`businessHours.holidays[${n}]`)}`)
    .find(Boolean);

  const setDay = (day: Weekday, intervals: Interval[]) => setDraft((d) => ({ ...d, weekly: { ...d.weekly, [day]: intervals } }));

  const submit = () => {
    // The format is checked here so every wrong field shows at once; the rest (order, overlaps) by the server.
    const problems: Record<string, string> = {};
    for (const day of weekdays) {
      draft.weekly[day].forEach((i, n) => {
        if (!HH_MM.test(i.start) || i.start === '24:00') problems[`businessHours.weekly.${day}[${n}].start`] = 'Use a time like 09:00';
        if (!HH_MM.test(i.end)) problems[`businessHours.weekly.${day}[${n}].end`] = 'Use a time like 17:00 (24:00 for midnight)';
      });
    }
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    const weekly = Object.fromEntries(weekdays.map((d) => [d, draft.weekly[d]]));
    save.mutate(
      (current) => ({
        ...current,
        businessHours: {
          ...(draft.timezone !== STORE_ZONE ? { timezone: draft.timezone } : {}),
          weekly,
          holidays: draft.holidays,
        },
      }),
      {
        onSuccess: (r) => {
          setDraft(draftOf(r));
          notifications.show({ color: 'green', title: 'Business hours saved', message: 'SLA clocks count open time from now on.' });
        },
      },
    );
  };

  const discard = () => {
    setDraft(saved);
    setLocal({});
    save.reset();
  };

  return (
    <SettingsSection
      title="Business hours"
      description="When the team works. SLA clocks only run while the store is open; holidays are closed all day."
      readOnlyReason={canEdit ? null : 'Only managers and admins can change business hours.'}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap="md">
          <Select
            label="Time zone of these hours"
            data={[{ value: STORE_ZONE, label: `Same as the store (${storeTimezone})` }, ...zones.map((z) => ({ value: z, label: z }))]}
            value={draft.timezone}
            onChange={(v) => setDraft((d) => ({ ...d, timezone: v ?? STORE_ZONE }))}
            searchable
            allowDeselect={false}
            nothingFoundMessage="No such time zone"
            disabled={!canEdit}
            error={fieldError('businessHours.timezone')}
            maw={420}
          />
          <Stack gap={0} role="list" aria-label="Opening hours by weekday">
            {weekdays.map((day) => {
              const intervals = draft.weekly[day];
              const open = intervals.length > 0;
              return (
                <Group
                  key={day}
                  role="listitem"
                  align="flex-start"
                  gap="sm"
                  py="xs"
                  style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
                >
                  <Switch
                    label={dayNames[day]}
                    checked={open}
                    disabled={!canEdit}
                    onChange={(e) => setDay(day, e.currentTarget.checked ? [{ start: '09:00', end: '17:00' }] : [])}
                    aria-label={`${dayNames[day]} open`}
                    w={140}
                    mt={6}
                  />
                  {open ? (
                    <Stack gap={6}>
                      {intervals.map((i, n) => {
                        const at = `businessHours.weekly.${day}[${n}]`;
                        const which = intervals.length > 1 ? ` (hours ${n + 1})` : '';
                        return (
                          // biome-ignore lint/suspicious/noArrayIndexKey: intervals have no identity but their place
                          <Group key={n} gap="xs" align="flex-start" wrap="nowrap">
                            <TextInput
                              aria-label={`${dayNames[day]} opens at${which}`}
                              value={i.start}
                              onChange={(e) => {
                                const v = e.currentTarget.value;
                                setDay(
                                  day,
                                  intervals.map((x, k) => (k === n ? { ...x, start: v } : x)),
                                );
                              }}
                              placeholder="09:00"
                              maxLength={5}
                              w={92}
                              disabled={!canEdit}
                              error={fieldError(`${at}.start`)}
                            />
                            <Text mt={6} aria-hidden>
                              –
                            </Text>
                            <TextInput
                              aria-label={`${dayNames[day]} closes at${which}`}
                              value={i.end}
                              onChange={(e) => {
                                const v = e.currentTarget.value;
                                setDay(
                                  day,
                                  intervals.map((x, k) => (k === n ? { ...x, end: v } : x)),
                                );
                              }}
                              placeholder="17:00"
                              maxLength={5}
                              w={92}
                              disabled={!canEdit}
                              error={fieldError(`${at}.end`)}
                            />
                            {canEdit ? (
                              <ActionIcon
                                variant="subtle"
                                color="gray"
                                mt={4}
                                aria-label={`Remove ${dayNames[day]} hours ${i.start}–${i.end}`}
                                onClick={() =>
                                  setDay(
                                    day,
                                    intervals.filter((_, k) => k !== n),
                                  )
                                }
                              >
                                ×
                              </ActionIcon>
                            ) : null}
                          </Group>
                        );
                      })}
                      {canEdit ? (
                        <Button
                          variant="subtle"
                          size="compact-sm"
                          w="fit-content"
                          onClick={() => setDay(day, [...intervals, { start: '', end: '' }])}
                          aria-label={`Add hours on ${dayNames[day]}`}
                        >
                          + Add hours
                        </Button>
                      ) : null}
                    </Stack>
                  ) : (
                    <Text size="sm" c="dimmed" mt={6}>
                      Closed
                    </Text>
                  )}
                </Group>
              );
            })}
          </Stack>

          <Stack gap="xs">
            <Text size="sm" fw={500} id="holidays-label">
              Holidays (closed all day)
            </Text>
            {draft.holidays.length === 0 ? (
              <Text size="sm" c="dimmed">
                No holidays.
              </Text>
            ) : (
              <Group gap={6} role="list" aria-labelledby="holidays-label">
                {draft.holidays.map((h, n) => (
                  <Pill
                    key={h}
                    role="listitem"
                    size="md"
                    withRemoveButton={canEdit}
                    onRemove={() => setDraft((d) => ({ ...d, holidays: d.holidays.filter((x) => x !== h) }))}
                    removeButtonProps={{ 'aria-label': `Remove holiday ${h}` }}
                    bg={errors.at(`businessHours.holidays[${n}]`) ? 'red.1' : undefined}
                  >
                    {formatDate(`${h}T12:00:00`)}
                  </Pill>
                ))}
              </Group>
            )}
            {holidayError ? (
              <Text size="sm" c="red.8" role="alert">
                {holidayError}
              </Text>
            ) : null}
            {canEdit ? (
              <Group gap="xs" align="flex-end">
                <TextInput type="date" label="Add a holiday" value={holiday} onChange={(e) => setHoliday(e.currentTarget.value)} w={200} />
                <Button
                  variant="default"
                  disabled={!/^\d{4}-\d{2}-\d{2}$/.test(holiday) || draft.holidays.includes(holiday)}
                  onClick={() => {
                    setDraft((d) => ({ ...d, holidays: [...d.holidays, holiday].sort() }));
                    setHoliday('');
                  }}
                >
                  Add holiday
                </Button>
              </Group>
            ) : null}
          </Stack>
          <SaveBar
            canEdit={canEdit}
            dirty={dirty}
            saving={save.isPending}
            error={Object.keys(local).length > 0 ? 'Some times are not in the HH:mm form; see the marked fields.' : errors.other}
            onDiscard={discard}
          />
        </Stack>
      </form>
    </SettingsSection>
  );
}
