import { Badge } from '@mantine/core';
import type { CaseSummary } from '../../../api/types.ts';
import { emotionLabel, kindLabel, priorityColor, severityLabel, statusColor, statusLabel, tierColor, tierLabel } from '../labels.ts';

export function PriorityBadge({ priority }: { priority: CaseSummary['priority'] }) {
  if (!priority)
    return (
      <Badge color="gray" variant="light">
        Untriaged
      </Badge>
    );
  return (
    <Badge
      color={priorityColor[priority.level]}
      variant={priority.level === 'urgent' ? 'filled' : 'light'}
      title={`priority score ${priority.score}`}
    >
      {priority.level}
    </Badge>
  );
}

export function TierBadge({ tier }: { tier: CaseSummary['customerTier'] }) {
  if (!tier) return null;
  return (
    <Badge color={tierColor[tier]} variant="light" size="sm">
      {tierLabel[tier]}
    </Badge>
  );
}

export function StatusBadge({ status }: { status: CaseSummary['status'] }) {
  return (
    <Badge color={statusColor[status]} variant="light" size="sm">
      {statusLabel[status]}
    </Badge>
  );
}

export function KindLabel({ kind, severity }: { kind: string | null; severity: number | null }) {
  if (!kind) return <>Not triaged</>;
  return (
    <>
      {kindLabel[kind] ?? kind}
      {severity ? ` · ${severityLabel[severity] ?? severity}` : ''}
    </>
  );
}

export function EmotionLabel({ emotion }: { emotion: CaseSummary['emotion'] }) {
  if (!emotion) return null;
  return <span title={`intensity ${Math.round(emotion.intensity * 100)} %`}>{emotionLabel[emotion.primary]}</span>;
}
