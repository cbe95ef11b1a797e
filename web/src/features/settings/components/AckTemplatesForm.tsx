import { Accordion, Badge, Button, Code, Group, Paper, SegmentedControl, Stack, Table, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { ScrollTable } from '../../../ui/ScrollTable.tsx';
import { fieldErrors } from '../field-errors.ts';
import { useSaveSettings, useTemplatePreview } from '../hooks/use-settings.ts';
import type { SettingsResponse, TemplateCatalog, TemplateKey } from '../types.ts';
import { SaveBar, SettingsSection } from './SettingsSection.tsx';

const languages: { key: TemplateKey; label: string }[] = [
  { key: 'en/ack', label: 'English' },
  { key: 'es/ack', label: 'Spanish' },
];

/**
 * The first reply every new case gets, per language: the shipped default or the store's own version
 * (Handlebars), previewed against a sample case before saving.
 */
export function AckTemplatesForm({ data, catalog, canEdit }: { data: SettingsResponse; catalog: TemplateCatalog; canEdit: boolean }) {
  const [lang, setLang] = useState<TemplateKey>('en/ack');
  const stored = data.settings.templates?.[lang];
  const savedText = stored ?? catalog.defaults[lang];
  const [drafts, setDrafts] = useState<Partial<Record<TemplateKey, string>>>({});
  const text = drafts[lang] ?? savedText;
  const custom = text !== catalog.defaults[lang];
  const dirty = text !== savedText;
  const save = useSaveSettings();
  const preview = useTemplatePreview();
  const errors = fieldErrors(save.error, (p) => p === `templates.${lang}`);
  const previewError = preview.error ? errorMessage(preview.error).replace(/^source: /, '') : null;

  const setText = (v: string) => {
    setDrafts((d) => ({ ...d, [lang]: v }));
    preview.reset();
  };

  const submit = () => {
    save.mutate(
      (current) => {
        const templates = { ...current.templates };
        // The default's own text is not an override: the store keeps following future improvements to it.
        if (custom) templates[lang] = text;
        else delete templates[lang];
        const { templates: _old, ...rest } = current;
        return Object.keys(templates).length > 0 ? { ...rest, templates } : rest;
      },
      {
        onSuccess: () => {
          setDrafts((d) => ({ ...d, [lang]: undefined }));
          notifications.show({
            color: 'green',
            title: 'Acknowledgement saved',
            message: custom ? `New ${languages.find((l) => l.key === lang)?.label} cases get your version.` : 'Back to the default.',
          });
        },
      },
    );
  };

  return (
    <SettingsSection
      title="Acknowledgement"
      description="The first reply each new case gets within a second: it apologises, names the problem and says when a person will write. Handlebars: the variables below fill in per case."
      readOnlyReason={canEdit ? null : 'Only managers and admins can change the acknowledgement.'}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack gap="sm">
          <Group justify="space-between" wrap="wrap">
            <SegmentedControl
              aria-label="Language"
              value={lang}
              onChange={(v) => {
                setLang(v as TemplateKey);
                preview.reset();
                save.reset();
              }}
              data={languages.map((l) => ({ value: l.key, label: l.label }))}
            />
            <Badge variant="light" color={stored !== undefined ? 'blue' : 'gray'}>
              {stored !== undefined ? 'Your version' : 'Default'}
            </Badge>
          </Group>
          <Textarea
            label={`${languages.find((l) => l.key === lang)?.label} acknowledgement`}
            description="A first line “Subject: …” sets the e-mail subject."
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            autosize
            minRows={8}
            maxRows={24}
            readOnly={!canEdit}
            error={errors.at(`templates.${lang}`) ?? previewError ?? undefined}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
            spellCheck={false}
          />
          <Group gap="xs">
            <Button variant="default" onClick={() => preview.mutate({ key: lang, source: text })} loading={preview.isPending}>
              Preview
            </Button>
            {canEdit ? (
              <Button variant="subtle" color="gray" onClick={() => setText(catalog.defaults[lang])} disabled={!custom}>
                Reset to default
              </Button>
            ) : null}
          </Group>
          {preview.data ? (
            <Paper withBorder p="sm" radius="sm" bg="gray.0" aria-label="Preview" component="section">
              <Stack gap={6}>
                <Text size="xs" c="dimmed">
                  Preview for a sample case: Maria Lopez, order #1001 late, frustrated.
                </Text>
                {preview.data.subject ? (
                  <Text size="sm">
                    <b>Subject:</b> {preview.data.subject}
                  </Text>
                ) : null}
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {preview.data.body}
                </Text>
              </Stack>
            </Paper>
          ) : null}
          <Accordion variant="contained">
            <Accordion.Item value="variables">
              <Accordion.Control>Variables you can use</Accordion.Control>
              <Accordion.Panel>
                <ScrollTable minWidth={420} label="Template variables">
                  <Table fz="sm" verticalSpacing={4}>
                    <Table.Tbody>
                      {Object.entries(catalog.variables).map(([k, v]) => (
                        <Table.Tr key={k}>
                          <Table.Td>
                            <Code>{`{{${k}}}`}</Code>
                          </Table.Td>
                          <Table.Td>{v}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollTable>
              </Accordion.Panel>
            </Accordion.Item>
          </Accordion>
          <SaveBar
            canEdit={canEdit}
            dirty={dirty}
            saving={save.isPending}
            error={errors.other}
            onDiscard={() => {
              setDrafts((d) => ({ ...d, [lang]: undefined }));
              preview.reset();
              save.reset();
            }}
          />
        </Stack>
      </form>
    </SettingsSection>
  );
}
