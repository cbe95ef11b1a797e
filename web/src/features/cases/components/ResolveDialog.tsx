import { Alert, Button, Group, Modal, Radio, Stack, Textarea } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../../api/client.ts';

export const outcomes = [
  { value: 'remedy_issued', label: 'Made right: remedy issued' },
  { value: 'answered', label: 'Answered: no remedy needed' },
  { value: 'declined', label: 'Declined: explained why we cannot help' },
  { value: 'no_response', label: 'No response from the customer' },
  { value: 'duplicate', label: 'Duplicate of another case' },
] as const;

/** Resolve with an outcome (kept as the status change's reason, so it is on the timeline and in the audit). */
export function ResolveDialog({
  opened,
  onClose,
  onResolve,
  number,
}: {
  opened: boolean;
  onClose: () => void;
  onResolve: (reason: string) => Promise<unknown>;
  number: number;
}) {
  const [outcome, setOutcome] = useState<string>('remedy_issued');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = outcomes.find((o) => o.value === outcome)?.label ?? outcome;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await onResolve(`Outcome: ${label}${note.trim() ? `. ${note.trim()}` : ''}`);
      setNote('');
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Resolve case #${number}`}>
      <Stack gap="md">
        <Radio.Group label="Outcome" value={outcome} onChange={setOutcome} required>
          <Stack gap={6} mt={6}>
            {outcomes.map((o) => (
              <Radio key={o.value} value={o.value} label={o.label} data-autofocus={o.value === outcome ? true : undefined} />
            ))}
          </Stack>
        </Radio.Group>
        <Textarea
          label="Anything to add (optional)"
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          autosize
          minRows={2}
          maxLength={1500}
        />
        {error ? (
          <Alert color="red" variant="light" role="alert">
            {error}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="green" onClick={() => void submit()} loading={busy}>
            Resolve case
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
