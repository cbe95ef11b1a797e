import type { ComboboxParsedItem } from '@mantine/core';
import { Button, Group, Menu, Select, Stack, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useReplySuggestions } from '../hooks/use-reply-suggestions.ts';
import type { ReplySuggestion } from '../types.ts';

const preview = (text: string) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 90 ? `${line.slice(0, 89)}…` : line;
};

const language: Record<string, string> = { en: 'English', es: 'Spanish' };

/**
 * "Suggested" (the acknowledgement or the resolution for this case) and "Templates" (the store's saved replies,
 * searchable by name or words): both rendered by the server in the customer's language, both insert into the
 * draft, where the tone check reads them like anything the agent typed.
 */
export function SuggestionPicker({ caseId, onInsert }: { caseId: string; onInsert: (s: ReplySuggestion) => void }) {
  const q = useReplySuggestions(caseId);
  const [search, setSearch] = useState('');
  const all = q.data?.suggestions ?? [];
  const suggested = all.filter((s) => s.kind !== 'saved');
  const saved = all.filter((s) => s.kind === 'saved');
  const byId = useMemo(() => new Map(saved.map((s) => [s.id, s])), [saved]);

  if (q.isError) {
    return (
      <Group gap="xs">
        <Text size="xs" c="red.9">
          Suggestions could not be loaded.
        </Text>
        <Button size="compact-xs" variant="subtle" onClick={() => q.refetch()}>
          Try again
        </Button>
      </Group>
    );
  }

  const filter = ({ options, search: typed }: { options: ComboboxParsedItem[]; search: string }) => {
    const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return options;
    return options.filter((o) => {
      if (!('value' in o)) return true;
      const s = byId.get(o.value);
      const hay = `${o.label} ${s?.text ?? ''}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
  };

  return (
    <Group gap="xs" wrap="wrap" align="flex-end">
      <Menu position="bottom-start" width={340} withinPortal>
        <Menu.Target>
          <Button size="xs" variant="light" loading={q.isPending} disabled={!q.isPending && suggested.length === 0}>
            Suggested{suggested.length > 0 ? ` (${suggested.length})` : ''}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Insert into the reply ({language[q.data?.locale ?? 'en'] ?? q.data?.locale})</Menu.Label>
          {suggested.map((s) => (
            <Menu.Item key={s.id} onClick={() => onInsert(s)}>
              <Stack gap={0}>
                <Text size="sm" fw={600}>
                  {s.label}
                </Text>
                <Text size="xs" c="dimmed">
                  {preview(s.text)}
                </Text>
              </Stack>
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Select
        aria-label="Templates: search the saved replies and insert one"
        placeholder={saved.length === 0 && !q.isPending ? 'No saved replies' : 'Templates…'}
        size="xs"
        w={240}
        searchable
        clearable={false}
        disabled={q.isPending || saved.length === 0}
        data={saved.map((s) => ({ value: s.id, label: s.label }))}
        value={null}
        searchValue={search}
        onSearchChange={setSearch}
        onChange={(v) => {
          const s = v ? byId.get(v) : undefined;
          setSearch('');
          if (s) onInsert(s);
        }}
        filter={filter}
        nothingFoundMessage="No saved reply has these words"
        renderOption={({ option }) => (
          <Stack gap={0}>
            <Text size="sm">{option.label}</Text>
            <Text size="xs" c="dimmed">
              {preview(byId.get(option.value)?.text ?? '')}
            </Text>
          </Stack>
        )}
        comboboxProps={{ withinPortal: true, width: 340, position: 'bottom-start' }}
      />
    </Group>
  );
}
