import { Badge } from '@mantine/core';
import { severityColor, severityLabel } from './labels.ts';

export function IncidentStatusBadge({ status }: { status: string }) {
  return (
    <Badge variant="light" color={status === 'open' ? 'orange' : 'green'}>
      {status === 'open' ? 'Open' : status === 'resolved' ? 'Resolved' : status}
    </Badge>
  );
}

export function SeverityBadge({ severity }: { severity: number }) {
  return (
    <Badge variant="light" color={severityColor[severity] ?? 'gray'} title={`Severity ${severity} of 4`}>
      {severityLabel[severity] ?? `Severity ${severity}`}
    </Badge>
  );
}

export function PublicBadge({ isPublic }: { isPublic: boolean }) {
  return isPublic ? (
    <Badge variant="light" color="blue">
      Public
    </Badge>
  ) : (
    <Badge variant="outline" color="gray">
      Not public
    </Badge>
  );
}
