import { Badge, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import type { CaseDetail, Evidence } from '../../../api/types.ts';
import { humanize } from '../../../ui/format.ts';
import { emotionLabel, kindLabel, severityLabel } from '../labels.ts';

function EvidenceList({ evidence }: { evidence: Evidence[] }) {
  if (evidence.length === 0) return null;
  return (
    <List size="xs" spacing={2} c="dimmed" withPadding>
      {evidence.slice(0, 5).map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, drawn once per answer and never reordered
        <List.Item key={`${e.rule}-${i}`}>
          {e.phrase && !(e.detail ?? '').includes(e.phrase) ? <q>{e.phrase}</q> : null} {e.detail ?? humanize(e.rule)}
        </List.Item>
      ))}
      {evidence.length > 5 ? <List.Item>and {evidence.length - 5} more</List.Item> : null}
    </List>
  );
}

function Label({ name, value, evidence }: { name: string; value: string; evidence: Evidence[] }) {
  return (
    <Stack gap={2}>
      <Group gap={6}>
        <Text size="sm" c="dimmed" w={80}>
          {name}
        </Text>
        <Text size="sm" fw={600}>
          {value}
        </Text>
      </Group>
      <EvidenceList evidence={evidence} />
    </Stack>
  );
}

/** Why the case is what it is: each triage label with the words and rules behind it, and the priority's points. */
export function TriagePanel({ c }: { c: CaseDetail }) {
  const t = c.triage;
  const flags = t
    ? (
        [
          ['Churn threat', t.churnThreat],
          ['Legal or public threat', t.legalOrPublicThreat],
          ['Says it happened before', t.repeatMention],
          ['Time pressure', t.urgency],
        ] as const
      ).filter(([, f]) => f.value)
    : [];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="triage-heading">
      <Stack gap="sm">
        <Title order={2} size="h4" id="triage-heading">
          Triage
        </Title>
        {t ? (
          <>
            <Label
              name="Kind"
              value={`${kindLabel[t.kind.value] ?? t.kind.value} (${Math.round(t.kind.confidence * 100)} %)`}
              evidence={t.kind.evidence}
            />
            <Label name="Severity" value={`${t.severity.value} ${severityLabel[t.severity.value] ?? ''}`} evidence={t.severity.evidence} />
            <Label
              name="Emotion"
              value={`${emotionLabel[t.emotion.primary]} (${Math.round(t.emotion.intensity * 100)} %)`}
              evidence={t.emotion.evidence}
            />
            {flags.map(([name, f]) => (
              <Label key={name} name="Flag" value={name} evidence={f.evidence} />
            ))}
          </>
        ) : (
          <Text size="sm" c="dimmed">
            {c.kind
              ? `Found by a monitor, not from the customer's words: ${kindLabel[c.kind] ?? c.kind}, severity ${c.severity ?? '—'}.`
              : 'Not triaged: the customer has not written yet.'}
          </Text>
        )}
        {c.priorityFactors.length > 0 ? (
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              Priority {c.priority ? `${c.priority.level} (${c.priority.score} points)` : ''}
            </Text>
            <Group gap={6}>
              {c.priorityFactors.map((f) => (
                <Badge key={f.factor + f.detail} variant="light" color="gray" size="sm" tt="none">
                  +{f.points} {f.detail}
                </Badge>
              ))}
            </Group>
          </Stack>
        ) : null}
      </Stack>
    </Paper>
  );
}

/** Guardrails that fired on the case, and what they ask of whoever replies. */
export function GuardrailsPanel({ c }: { c: CaseDetail }) {
  if (c.guardrails.length === 0) return null;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="guardrails-heading" bg="orange.0">
      <Stack gap="xs">
        <Title order={2} size="h4" id="guardrails-heading">
          Guardrails fired
        </Title>
        <List size="sm" spacing={4}>
          {c.guardrails.map((g) => (
            <List.Item key={g.rule + g.at}>
              {g.reason.charAt(0).toUpperCase() + g.reason.slice(1)}.
              {g.effect.severityTo ? ` Severity ${g.effect.severityFrom} → ${g.effect.severityTo}.` : ''} Routed to a manager.
            </List.Item>
          ))}
        </List>
        {c.guidance.length > 0 ? (
          <>
            <Text size="sm" fw={600}>
              Guidance
            </Text>
            <List size="sm" spacing={2}>
              {c.guidance.map((g) => (
                <List.Item key={g}>{g}</List.Item>
              ))}
            </List>
          </>
        ) : null}
      </Stack>
    </Paper>
  );
}
