import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { roleAtLeast, useSession } from '../features/auth/hooks/use-session.ts';
import { AffectedCustomers } from '../features/incidents/components/AffectedCustomers.tsx';
import { IncidentStatusBadge, SeverityBadge } from '../features/incidents/components/IncidentBadges.tsx';
import { IncidentFindings } from '../features/incidents/components/IncidentFindings.tsx';
import { IncidentMessages } from '../features/incidents/components/IncidentMessages.tsx';
import { IncidentRemedies, totalsText } from '../features/incidents/components/IncidentRemedies.tsx';
import { IncidentUpdates } from '../features/incidents/components/IncidentUpdates.tsx';
import { monitorLabel } from '../features/incidents/components/labels.ts';
import { PublicControl } from '../features/incidents/components/PublicControl.tsx';
import { ResolveControl } from '../features/incidents/components/ResolveControl.tsx';
import { useIncident } from '../features/incidents/hooks/use-incidents.ts';
import type { IncidentFull } from '../features/incidents/types.ts';
import { formatDateTime, humanize, plural } from '../ui/format.ts';
import { Empty, ErrorState, LoadingState } from '../ui/states.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';

function Figure({ label, value, note }: { label: string; value: ReactNode; note?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={700}>
        {value}
      </Text>
      {note ? (
        <Text size="xs" c="dimmed">
          {note}
        </Text>
      ) : null}
    </Paper>
  );
}

/** How the messages fared: delivered, still going, not sent; and the contacts still waiting or no longer needed. */
function messagesNote(i: IncidentFull): string {
  const by = (s: string) => i.messages.filter((m) => m.delivery.status === s).length;
  const parts = [
    by('sent') ? `${by('sent')} delivered` : null,
    by('queued') + by('sending') ? `${by('queued') + by('sending')} on their way` : null,
    by('failed') ? `${by('failed')} failed` : null,
    by('skipped') ? `${by('skipped')} not sent` : null,
    i.totals.messages.waiting ? `${i.totals.messages.waiting} waiting` : null,
    i.totals.messages.suppressed ? `${i.totals.messages.suppressed} not needed` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'nobody contacted';
}

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <Stack gap="xs" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id}>
        {title}
      </Title>
      {children}
    </Stack>
  );
}

export function IncidentPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const q = useIncident(id);
  usePageTitle(q.data?.title ?? 'Incident');
  if (q.isPending) return <LoadingState label="Loading the incident…" />;
  if (q.isError) {
    if (q.error instanceof ApiError && q.error.status === 404)
      return (
        <Empty
          title="No such incident"
          action={
            <Anchor component={Link} to="/incidents">
              All incidents
            </Anchor>
          }
        >
          This store has no incident {id}.
        </Empty>
      );
    return <ErrorState title="Could not load the incident" error={q.error} onRetry={() => q.refetch()} />;
  }
  const i = q.data;
  const isManager = roleAtLeast(session.user.role, 'manager');
  const cause = Object.entries(i.cause).filter(([k, v]) => v !== null && v !== false && typeof v !== 'object' && k !== 'neverShipped');
  const m = i.totals.messages;
  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/incidents" size="sm">
        ← Incidents
      </Anchor>
      <Stack gap="xs">
        <Title order={1} size="h2">
          {i.title}
        </Title>
        <Group gap={6}>
          <IncidentStatusBadge status={i.status} />
          <SeverityBadge severity={i.severity} />
          {i.avertable ? (
            <Text size="xs" c="red.9" fw={600}>
              Avertable: it was ours to prevent
            </Text>
          ) : null}
        </Group>
        <Text size="sm" c="dimmed">
          Found by the {monitorLabel(i.monitor).toLowerCase()} monitor · {humanize(i.kind)} cases · started {formatDateTime(i.startedAt)}
          {i.resolvedAt ? ` · resolved ${formatDateTime(i.resolvedAt)}` : ''}
          {cause.length ? ` · ${cause.map(([k, v]) => `${k}: ${String(v)}`).join(', ')}` : ''}
        </Text>
        <Group gap="lg" align="center" wrap="wrap">
          <PublicControl id={i.id} isPublic={i.public} canChange={isManager} />
          {isManager ? <ResolveControl id={i.id} monitor={i.monitor} status={i.status} /> : null}
        </Group>
      </Stack>

      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Figure label="Customers" value={i.affected.length} note={plural(i.findings.length, 'finding')} />
        <Figure label="Messages" value={m.sent} note={messagesNote(i)} />
        <Figure
          label="Remedies issued"
          value={i.totals.remediesIssued.length ? totalsText(i.totals.remediesIssued) : '—'}
          note={i.remedies.length ? `${i.remedies.length} on its cases` : 'none yet'}
        />
        <Figure
          label="Not issued yet"
          value={i.totals.remediesPending.length ? totalsText(i.totals.remediesPending) : '—'}
          note="waiting for approval or issuing"
        />
      </SimpleGrid>

      <Section title="Status updates" id="updates">
        <IncidentUpdates incidentId={i.id} canChange={isManager} />
      </Section>
      <Section title={`Affected customers (${i.affected.length})`} id="affected">
        <AffectedCustomers customers={i.affected} />
      </Section>
      <Section title={`Messages sent (${i.messages.length})`} id="messages">
        <IncidentMessages incident={i} />
      </Section>
      <Section title={`Remedies (${i.remedies.length})`} id="remedies">
        <IncidentRemedies incident={i} />
      </Section>
      <Section title={`Findings (${i.findings.length})`} id="findings">
        <IncidentFindings incident={i} />
      </Section>
    </Stack>
  );
}
