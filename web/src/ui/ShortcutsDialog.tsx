import { Group, Kbd, Modal, Stack, Table, Text } from '@mantine/core';

export interface Shortcut {
  keys: string[];
  description: string;
}

/** The `?` dialog: every shortcut of the current page, then the ones that work everywhere. */
export function ShortcutsDialog({
  opened,
  onClose,
  sections,
}: {
  opened: boolean;
  onClose: () => void;
  sections: { title: string; shortcuts: Shortcut[] }[];
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" size="md">
      <Stack gap="md">
        {sections
          .filter((s) => s.shortcuts.length > 0)
          .map((s) => (
            <Stack key={s.title} gap={4}>
              <Text fw={600} size="sm">
                {s.title}
              </Text>
              <Table verticalSpacing={4}>
                <Table.Tbody>
                  {s.shortcuts.map((k) => (
                    <Table.Tr key={k.keys.join('+') + k.description}>
                      <Table.Td w={130}>
                        <Group gap={4} wrap="nowrap">
                          {k.keys.map((key, i) => (
                            <Group key={key} gap={4} wrap="nowrap">
                              {i > 0 ? <Text size="xs">+</Text> : null}
                              <Kbd>{key}</Kbd>
                            </Group>
                          ))}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{k.description}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          ))}
      </Stack>
    </Modal>
  );
}
