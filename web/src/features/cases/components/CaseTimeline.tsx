import { Text, Timeline } from '@mantine/core';
import type { TimelineEntry } from '../../../api/types.ts';
import { formatDateTime } from '../../../ui/format.ts';
import { Empty } from '../../../ui/states.tsx';
import { describeEntry } from '../timeline-text.ts';

const color: Record<TimelineEntry['kind'], string> = { activity: 'blue', message: 'teal', event: 'gray' };

/** Everything that happened, oldest first: the order's events, what people and Amends did, each message. */
export function CaseTimeline({ entries, userName }: { entries: TimelineEntry[]; userName: (id: string | null) => string }) {
  if (entries.length === 0) return <Empty title="Nothing on the timeline yet" />;
  return (
    <Timeline bulletSize={12} lineWidth={2} active={entries.length - 1}>
      {entries.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, drawn once per answer and never reordered
        <Timeline.Item key={`${e.at}-${e.type}-${i}`} color={color[e.kind]} title={<Text size="sm">{describeEntry(e, userName)}</Text>}>
          <Text size="xs" c="dimmed">
            {formatDateTime(e.at)} · {e.kind === 'event' ? 'store event' : e.kind === 'message' ? 'message' : (e.actor?.type ?? 'activity')}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
