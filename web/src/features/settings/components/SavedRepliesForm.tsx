import { ActionIcon, Badge, Button, Code, Group, Modal, Paper, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { Empty } from '../../../ui/states.tsx';
import { fieldErrors } from '../field-errors.ts';
import { useSaveSettings, useTemplatePreview } from '../hooks/use-settings.ts';
import type { SavedReply, SettingsResponse, TemplateCatalog } from '../types.ts';
import { SaveBar, SettingsSection } from './SettingsSection.tsx';

const languageLabel = { en: 'English', es: 'Spanish' } as const;

/** A stable key from the name (`Ask for a photo` → `ask-for-a-photo`), unique within its language. */
function slugFor(name: string, locale: string, taken: SavedReply[]): string {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 50) || 'reply';
  let id = base;
  for (let n = 2; taken.some((r) => r.locale === locale && r.id === id); n++) id = `${base}-${n}`;
  return id;
}

function ReplyDialog({
  initial,
  variables,
  onClose,
  onDone,
}: {
  initial: SavedReply | null;
  variables: Record<string, string>;
  onClose: () => void;
  onDone: (r: Omit<SavedReply, 'id'>) => void;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [locale, setLocale] = useState<'en' | 'es'>(initial?.locale ?? 'en');
  const [body, setBody] = useState(initial?.body ?? '');
  const preview = useTemplatePreview();
  return (
    <Modal opened onClose={onClose} title={initial ? `Edit “${initial.name}”` : 'New saved reply'} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onDone({ name: name.trim(), locale, body });
        }}
      >
        <Stack gap="sm">
          <Group grow align="flex-start">
            <TextInput
              label="Name"
              description="What agents pick it by"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              maxLength={80}
              data-autofocus
            />
            <Select
              label="Language"
              data={[
                { value: 'en', label: 'English' },
                { value: 'es', label: 'Spanish' },
              ]}
              value={locale}
              onChange={(v) => v && setLocale(v as 'en' | 'es')}
              allowDeselect={false}
            />
          </Group>
          <Textarea
            label="Text"
            description={
              <>
                Variables:{' '}
                {Object.keys(variables).map((v, n) => (
                  <span key={v}>
                    {n > 0 ? ', ' : ''}
                    <Code>{`{{${v}}}`}</Code>
                  </span>
                ))}
              </>
            }
            value={body}
            onChange={(e) => {
              setBody(e.currentTarget.value);
              preview.reset();
            }}
            autosize
            minRows={6}
            maxRows={16}
            required
            maxLength={5000}
            error={preview.error ? errorMessage(preview.error).replace(/^source: /, '') : undefined}
          />
          {preview.data ? (
            <Paper withBorder p="sm" bg="gray.0" aria-label="Preview" component="section">
              <Text size="xs" c="dimmed" mb={4}>
                Preview for Maria Lopez, order #1001:
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {preview.data.body}
              </Text>
            </Paper>
          ) : null}
          <Group justify="space-between">
            <Button
              variant="default"
              onClick={() => preview.mutate({ key: 'saved-reply', source: body })}
              disabled={!body.trim()}
              loading={preview.isPending}
            >
              Preview
            </Button>
            <Group gap="xs">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" disabled={!name.trim() || !body.trim()}>
                {initial ? 'Done' : 'Add'}
              </Button>
            </Group>
          </Group>
          <Text size="xs" c="dimmed">
            Changes are kept when you save the list.
          </Text>
        </Stack>
      </form>
    </Modal>
  );
}

/** The composer's saved replies: the store's own short answers, per language. Saved as one list. */
export function SavedRepliesForm({ data, catalog, canEdit }: { data: SettingsResponse; catalog: TemplateCatalog; canEdit: boolean }) {
  const saved = useMemo(() => data.settings.savedReplies ?? data.effective.savedReplies ?? [], [data]);
  const [list, setList] = useState<SavedReply[] | null>(null);
  const shown = list ?? saved;
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const save = useSaveSettings();
  const errors = fieldErrors(save.error, (p) => /^savedReplies\[\d+\]/.test(p));
  const dirty = list !== null && JSON.stringify(list) !== JSON.stringify(saved);
  const usingDefaults = data.settings.savedReplies === undefined;

  const done = (r: Omit<SavedReply, 'id'>) => {
    const next = [...shown];
    if (editing === 'new') next.push({ ...r, id: slugFor(r.name, r.locale, shown) });
    else if (typeof editing === 'number') {
      const old = next[editing]!;
      // A reply moved to the other language may clash with an id there.
      const id =
        old.locale === r.locale
          ? old.id
          : slugFor(
              old.id,
              r.locale,
              next.filter((_, k) => k !== editing),
            );
      next[editing] = { ...r, id };
    }
    setList(next);
    setEditing(null);
  };

  return (
    <SettingsSection
      title="Saved replies"
      description={
        usingDefaults
          ? 'Short answers agents drop into the composer and edit before sending. These are the defaults; saving makes the list your own.'
          : 'Short answers agents drop into the composer and edit before sending.'
      }
      readOnlyReason={canEdit ? null : 'Only managers and admins can change saved replies.'}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate((current) => ({ ...current, savedReplies: shown }), {
            onSuccess: () => {
              setList(null);
              notifications.show({
                color: 'green',
                title: 'Saved replies saved',
                message: `${shown.length} saved replies in the composer.`,
              });
            },
          });
        }}
      >
        <Stack gap="sm">
          {shown.length === 0 ? (
            <Empty title="No saved replies">Agents write every reply themselves.</Empty>
          ) : (
            <Stack gap="xs" role="list" aria-label="Saved replies">
              {shown.map((r, n) => {
                const err = errors.under(`savedReplies[${n}]`) ? (save.error ? errorMessage(save.error) : null) : null;
                return (
                  <Paper key={`${r.locale}/${r.id}`} withBorder p="sm" role="listitem" aria-label={r.name}>
                    <Group justify="space-between" wrap="nowrap" align="flex-start">
                      <Stack gap={2} style={{ minWidth: 0 }}>
                        <Group gap="xs">
                          <Text fw={600} size="sm">
                            {r.name}
                          </Text>
                          <Badge size="sm" variant="light" color="gray">
                            {languageLabel[r.locale]}
                          </Badge>
                        </Group>
                        <Text size="sm" c="dimmed" lineClamp={2} style={{ whiteSpace: 'pre-wrap' }}>
                          {r.body}
                        </Text>
                        {err ? (
                          <Text size="sm" c="red.8" role="alert">
                            {err}
                          </Text>
                        ) : null}
                      </Stack>
                      {canEdit ? (
                        <Group gap={4} wrap="nowrap">
                          <Button variant="subtle" size="compact-sm" onClick={() => setEditing(n)} aria-label={`Edit ${r.name}`}>
                            Edit
                          </Button>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Remove ${r.name}`}
                            onClick={() => setList(shown.filter((_, k) => k !== n))}
                          >
                            ×
                          </ActionIcon>
                        </Group>
                      ) : null}
                    </Group>
                  </Paper>
                );
              })}
            </Stack>
          )}
          {canEdit ? (
            <Button variant="light" w="fit-content" onClick={() => setEditing('new')}>
              + Add saved reply
            </Button>
          ) : null}
          <SaveBar
            canEdit={canEdit}
            dirty={dirty}
            saving={save.isPending}
            error={errors.other}
            onDiscard={() => {
              setList(null);
              save.reset();
            }}
            label="Save list"
          />
        </Stack>
      </form>
      {editing !== null ? (
        <ReplyDialog
          initial={editing === 'new' ? null : (shown[editing] ?? null)}
          variables={catalog.savedReplyVariables}
          onClose={() => setEditing(null)}
          onDone={done}
        />
      ) : null}
    </SettingsSection>
  );
}
