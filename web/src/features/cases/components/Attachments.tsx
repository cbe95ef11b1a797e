import { Anchor, Group, Image, Stack, Text } from '@mantine/core';
import { formatBytes } from '../../../ui/format.ts';
import type { CaseAttachment } from '../types.ts';

/** Photos a browser can show safely as images (an `<img>` never runs what is inside the file). */
const SHOWN = /^image\/(png|jpeg|gif|webp)$/;

const href = (a: CaseAttachment) => `/api/v1/attachments/${encodeURIComponent(a.id)}`;

/** The files of one message: photos as thumbnails that open full size, anything else as a download. */
export function Attachments({ files }: { files: CaseAttachment[] }) {
  if (files.length === 0) return null;
  return (
    <Stack gap={6} mt="xs" data-testid="attachments">
      <Group gap="sm" wrap="wrap">
        {files.map((a) =>
          SHOWN.test(a.contentType) ? (
            <Anchor key={a.id} href={href(a)} target="_blank" rel="noopener" aria-label={`Open ${a.filename} (${formatBytes(a.size)})`}>
              <Image
                src={href(a)}
                alt={`Photo from the customer: ${a.filename}`}
                h={120}
                w="auto"
                maw={220}
                fit="contain"
                radius="sm"
                style={{ border: '1px solid var(--mantine-color-gray-3)' }}
              />
            </Anchor>
          ) : (
            <Text key={a.id} size="sm">
              <Anchor href={href(a)} download={a.filename}>
                {a.filename}
              </Anchor>{' '}
              <Text component="span" size="xs" c="dimmed">
                {a.contentType}, {formatBytes(a.size)}
              </Text>
            </Text>
          ),
        )}
      </Group>
    </Stack>
  );
}
