import { Textarea } from '@mantine/core';

/** The optional reason a manager gives for an incident change; the server keeps it in the audit log. */
export function ReasonField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <Textarea
      label="Reason (optional, kept in the audit log)"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      autosize
      minRows={2}
      maxLength={2000}
    />
  );
}
