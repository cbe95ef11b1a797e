import { Alert, Anchor, Badge, Button, Checkbox, Group, NativeSelect, Paper, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import { formatDateTime } from '../../../ui/format.ts';
import { ErrorState, LoadingState } from '../../../ui/states.tsx';
import {
  type IncidentUpdate,
  type UpdateState,
  type IncidentUpdates as Updates,
  updateStates,
  useIncidentUpdates,
  usePostIncidentUpdate,
  useSetPublicText,
  useSetUpdatePublic,
} from '../hooks/use-incident-updates.ts';

const stateLabel: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};
const stateColor: Record<string, string> = { investigating: 'red', identified: 'orange', monitoring: 'blue', resolved: 'green' };

/** What the status page calls the incident and says about it; managers edit it. */
function PublicText({ incidentId, data, canChange }: { incidentId: string; data: Updates; canChange: boolean }) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState('');
  const [summary, setSummary] = useState('');
  const save = useSetPublicText(incidentId);
  const start = () => {
    save.reset();
    setTitle(data.publicTitle ?? '');
    setSummary(data.publicSummary ?? '');
    setEditing(true);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      { publicTitle: title.trim() || null, publicSummary: summary.trim() || null },
      {
        onSuccess: () => {
          setEditing(false);
          notifications.show({ color: 'green', title: 'Saved', message: 'The status page uses the new words.' });
        },
      },
    );
  };
  if (editing)
    return (
      <Paper withBorder p="sm" component="form" onSubmit={submit} aria-label="Public title and summary">
        <Stack gap="xs">
          <TextInput
            label="Public title"
            description="What customers see on the status page. Leave empty for a generic title; the internal title is never shown."
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            maxLength={200}
          />
          <Textarea
            label="Public summary"
            description="One or two sentences for everyone. No names, e-mails or order numbers."
            value={summary}
            onChange={(e) => setSummary(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={2000}
          />
          {save.isError ? (
            <Text size="sm" c="red.9" role="alert">
              {errorMessage(save.error)}
            </Text>
          ) : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => setEditing(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save public text
            </Button>
          </Group>
        </Stack>
      </Paper>
    );
  return (
    <Paper withBorder p="sm">
      <Stack gap={4}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
          On the status page
        </Text>
        <Text fw={600} data-testid="public-title">
          {data.publicTitle ?? 'A generic title by kind (no public title yet)'}
        </Text>
        {data.publicSummary ? (
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {data.publicSummary}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            No public summary.
          </Text>
        )}
        <Group gap="md" mt={4}>
          {canChange ? (
            <Button variant="default" size="xs" onClick={start}>
              Edit public text
            </Button>
          ) : null}
          <Anchor href={data.statusPageUrl} target="_blank" rel="noopener" size="sm">
            View status page
          </Anchor>
        </Group>
      </Stack>
    </Paper>
  );
}

/** Managers post an update: its state, its words, and whether customers see it. */
function PostUpdate({ incidentId, status }: { incidentId: string; status: string }) {
  const [state, setState] = useState<UpdateState>(status === 'open' ? 'identified' : 'resolved');
  const [body, setBody] = useState('');
  const [isPublic, setIsPublic] = useState(true);
  const [bodyError, setBodyError] = useState<string | null>(null);
  const post = usePostIncidentUpdate(incidentId);
  const states = status === 'open' ? updateStates : (['resolved'] as const);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) {
      setBodyError('Write what customers (or your team) should know.');
      return;
    }
    setBodyError(null);
    post.mutate(
      { state, body: body.trim(), public: isPublic },
      {
        onSuccess: () => {
          setBody('');
          notifications.show({
            color: 'green',
            title: 'Update posted',
            message:
              state === 'resolved' && status === 'open'
                ? 'The incident is resolved.'
                : isPublic
                  ? 'It shows on the status page while the incident is public.'
                  : 'Only your team sees it.',
          });
        },
      },
    );
  };
  return (
    <Paper withBorder p="sm" component="form" onSubmit={submit} aria-label="Post an update" noValidate>
      <Stack gap="xs">
        <NativeSelect
          label="State"
          value={state}
          onChange={(e) => setState(e.currentTarget.value as UpdateState)}
          data={states.map((s) => ({ value: s, label: stateLabel[s] ?? s }))}
          description={state === 'resolved' && status === 'open' ? 'Posting "Resolved" also resolves the incident.' : undefined}
        />
        <Textarea
          label="Update"
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          error={bodyError}
          autosize
          minRows={3}
          maxLength={5000}
          required
        />
        <Checkbox label="Show on status page" checked={isPublic} onChange={(e) => setIsPublic(e.currentTarget.checked)} />
        {post.isError ? (
          <Text size="sm" c="red.9" role="alert">
            {errorMessage(post.error)}
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button type="submit" loading={post.isPending}>
            Post update
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function UpdateItem({ incidentId, u, canChange }: { incidentId: string; u: IncidentUpdate; canChange: boolean }) {
  const toggle = useSetUpdatePublic(incidentId);
  return (
    <Paper withBorder p="sm" component="li" aria-label={`${stateLabel[u.state] ?? u.state} update, ${formatDateTime(u.createdAt)}`}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap={6} wrap="wrap">
            <Badge variant="light" color={stateColor[u.state] ?? 'gray'}>
              {stateLabel[u.state] ?? u.state}
            </Badge>
            {u.public ? (
              <Badge variant="light" color="blue">
                Public
              </Badge>
            ) : (
              <Badge variant="outline" color="gray">
                Team only
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            {u.author ? (u.author.name ?? (u.author.type === 'token' ? 'API token' : 'A teammate')) : 'Amends (automatic)'} ·{' '}
            {formatDateTime(u.createdAt)}
          </Text>
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {u.body}
        </Text>
        {canChange ? (
          <Group>
            <Button
              variant="subtle"
              size="compact-xs"
              loading={toggle.isPending}
              onClick={() => toggle.mutate({ updateId: u.id, public: !u.public })}
            >
              {u.public ? 'Hide from status page' : 'Show on status page'}
            </Button>
            {toggle.isError ? (
              <Text size="xs" c="red.9" role="alert">
                {errorMessage(toggle.error)}
              </Text>
            ) : null}
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}

/**
 * The incident's status updates: what the status page says (public title and summary, a link to the page), a
 * form for managers to post an update, and every update newest first (the system's own and people's).
 */
export function IncidentUpdates({ incidentId, canChange }: { incidentId: string; canChange: boolean }) {
  const q = useIncidentUpdates(incidentId);
  if (q.isPending) return <LoadingState label="Loading the updates…" />;
  if (q.isError) return <ErrorState title="Could not load the updates" error={q.error} onRetry={() => q.refetch()} />;
  const data = q.data;
  return (
    <Stack gap="sm">
      {!data.public ? (
        <Alert color="gray" variant="light" title="Not on the status page">
          Public updates show there once the incident is shown on the status page.
        </Alert>
      ) : null}
      <PublicText incidentId={incidentId} data={data} canChange={canChange} />
      {canChange ? <PostUpdate key={data.status} incidentId={incidentId} status={data.status} /> : null}
      {data.updates.length ? (
        <Stack component="ol" gap="xs" aria-label="Updates, newest first" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {data.updates.map((u) => (
            <UpdateItem key={u.id} incidentId={incidentId} u={u} canChange={canChange} />
          ))}
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          No updates yet.
        </Text>
      )}
    </Stack>
  );
}
