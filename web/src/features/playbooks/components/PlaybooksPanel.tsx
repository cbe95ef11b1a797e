import { Badge, Button, Group, List, Paper, Spoiler, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { RefObject } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { formatMoney, plural } from '../../../ui/format.ts';
import { ErrorState } from '../../../ui/states.tsx';
import { useApplyPlaybook, useCasePlaybooks, useSavePlaybook } from '../hooks/use-playbooks.ts';
import type { SuggestedPlaybook } from '../types.ts';

/**
 * Puts text into the reply composer as if typed (React's onChange sees an input event), after what is there.
 * False when there is no composer on the page.
 */
function insertIntoComposer(el: HTMLTextAreaElement | null, text: string): boolean {
  if (!el) return false;
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
  if (!setter) return false;
  const before = el.value.trim();
  setter.call(el, before ? `${before}\n\n${text}` : text);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.focus();
  el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  return true;
}

function Record({ p }: { p: SuggestedPlaybook }) {
  const r = p.trackRecord;
  if (r.applied === 0) {
    return (
      <Text size="xs" c="dimmed">
        Not used on another case yet
        {p.outcome.csat !== null ? ` · source case CSAT ${p.outcome.csat}` : ''}
      </Text>
    );
  }
  return (
    <Text size="xs" c="dimmed" data-testid="playbook-record">
      Used on {plural(r.applied, 'case')} · {Math.round((r.resolvedShare ?? 0) * 100)}% resolved
      {r.avgCsat !== null ? ` · CSAT ${r.avgCsat} (${r.csatAnswers})` : ''}
      {r.avgCost !== null ? ` · ${formatMoney(r.avgCost, r.currency)} per case` : ''}
    </Text>
  );
}

function Suggestion({ p, caseId, composer }: { p: SuggestedPlaybook; caseId: string; composer: RefObject<HTMLTextAreaElement | null> }) {
  const apply = useApplyPlaybook(caseId);
  const message = p.renderedMessages[0] ?? null;
  const use = () => {
    let how = 'Playbook recorded as used.';
    if (message) {
      if (insertIntoComposer(composer.current, message)) how = 'Its message is in the reply box: read it over before sending.';
      else {
        void navigator.clipboard?.writeText(message);
        how = 'Its message was copied.';
      }
    }
    apply.mutate(p.id, {
      onSuccess: () => notifications.show({ color: 'green', message: how }),
      onError: (err) => notifications.show({ color: 'red', title: 'Not recorded', message: errorMessage(err) }),
    });
  };
  const close = p.match.severityDistance === 0 && p.match.tier && p.match.emotion;
  return (
    <Paper withBorder p="xs" radius="sm" data-testid="playbook-suggestion">
      <Stack gap={4}>
        <Group justify="space-between" gap={4} wrap="nowrap" align="flex-start">
          <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
            {p.title}
          </Text>
          {close ? (
            <Badge size="sm" variant="light" color="green">
              same scenario
            </Badge>
          ) : null}
        </Group>
        <Record p={p} />
        <Spoiler maxHeight={0} showLabel="Steps" hideLabel="Hide steps">
          <List size="sm" type="ordered" spacing={2}>
            {p.steps.map((s) => (
              <List.Item key={`${s.title}-${s.detail}`}>
                <Text span size="sm" fw={500}>
                  {s.title}
                </Text>
                {s.detail ? (
                  <Text span size="sm" c="dimmed">
                    {' '}
                    · {s.detail}
                  </Text>
                ) : null}
              </List.Item>
            ))}
          </List>
        </Spoiler>
        {message ? (
          <Text size="sm" c="dimmed" lineClamp={3} style={{ whiteSpace: 'pre-wrap' }}>
            “{message}”
          </Text>
        ) : null}
        <Group gap="xs">
          <Button size="xs" variant={p.appliedHere ? 'default' : 'light'} loading={apply.isPending} onClick={use}>
            {p.appliedHere ? 'Use again' : 'Use'}
          </Button>
          {p.remedy ? (
            <Text size="xs" c="dimmed">
              Remedy: {p.remedy.label}
            </Text>
          ) : null}
        </Group>
      </Stack>
    </Paper>
  );
}

/** The case page's "Playbooks" panel: what worked on similar cases, and "Save as playbook" once resolved. */
export function PlaybooksPanel({
  caseId,
  version,
  resolved,
  canSave,
  composer,
}: {
  caseId: string;
  /** The case's updatedAt. */
  version: string;
  resolved: boolean;
  /** Managers may turn a resolved case into a playbook. */
  canSave: boolean;
  composer: RefObject<HTMLTextAreaElement | null>;
}) {
  const q = useCasePlaybooks(caseId, version);
  const save = useSavePlaybook(caseId);
  if (q.isError) return <ErrorState title="Could not load the playbooks" error={q.error} onRetry={() => q.refetch()} />;
  const list = q.data?.playbooks ?? [];
  const showSave = resolved && canSave;
  if (!q.isPending && list.length === 0 && !showSave) return null;
  const saveNow = () =>
    save.mutate(
      {},
      {
        onSuccess: (p) => notifications.show({ color: 'green', message: `Saved as the playbook “${p.title}”.` }),
        onError: (err) => notifications.show({ color: 'red', title: 'Not saved', message: errorMessage(err) }),
      },
    );
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-labelledby="playbooks-title" data-testid="playbooks-panel">
      <Stack gap="xs">
        <Title order={2} size="h5" id="playbooks-title">
          Playbooks
        </Title>
        {q.isPending ? (
          <Text size="sm" c="dimmed" data-state="loading">
            Loading…
          </Text>
        ) : null}
        {!q.isPending && list.length === 0 ? (
          <Text size="sm" c="dimmed">
            No playbook for this kind of case yet.
          </Text>
        ) : null}
        {list.map((p) => (
          <Suggestion key={p.id} p={p} caseId={caseId} composer={composer} />
        ))}
        {showSave ? (
          <Group>
            <Button size="xs" variant="default" loading={save.isPending} onClick={saveNow}>
              Save as playbook
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}
