import { Alert, Button, Collapse, Group, Kbd, List, Paper, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { type KeyboardEvent, type Ref, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../../api/client.ts';
import type { CaseMessage, ToneFinding } from '../../../api/types.ts';
import { useToneCheck } from '../hooks/use-tone-check.ts';
import type { ReplySuggestion } from '../types.ts';
import { SuggestionPicker } from './SuggestionPicker.tsx';
import { ToneFindings } from './ToneFindings.tsx';

type Mode = 'reply' | 'note';

interface Props {
  caseId: string;
  customer: string;
  guidance: string[];
  acknowledgement: CaseMessage | null;
  locale: string | undefined;
  send: (m: { kind: Mode; body: string }) => Promise<unknown>;
  textareaRef?: Ref<HTMLTextAreaElement>;
  disabled?: boolean;
}

const draftKey = (caseId: string, mode: Mode) => `amends.draft.${caseId}.${mode}`;

function loadDraft(caseId: string, mode: Mode): string {
  try {
    return sessionStorage.getItem(draftKey(caseId, mode)) ?? '';
  } catch {
    return '';
  }
}

/** Where a missing sentence goes: an apology opens the reply, a next step or ownership closes it. */
function withSentence(text: string, f: ToneFinding): { text: string; at: number } {
  const trimmed = text.trimEnd();
  if (f.rule === 'missing_apology') {
    const sep = text.trim() ? ' ' : '';
    return { text: `${f.suggestion}${sep}${text.trimStart()}`, at: 0 };
  }
  const sep = trimmed ? (/[.!?]$/.test(trimmed) ? ' ' : '. ') : '';
  return { text: `${trimmed}${sep}${f.suggestion}`, at: trimmed.length + sep.length };
}

/**
 * The reply composer: starts empty (the acknowledgement is there to read, or to start from; the suggested
 * acknowledgement or resolution and the saved replies insert in one pick), checks the tone as the agent
 * writes, applies a suggested rewrite in one click, and sends with Ctrl+Enter.
 */
export function ReplyComposer({ caseId, customer, guidance, acknowledgement, locale, send, textareaRef, disabled }: Props) {
  const [mode, setMode] = useState<Mode>('reply');
  const [text, setText] = useState(() => loadDraft(caseId, 'reply'));
  const [sending, setSending] = useState(false);
  const [ackOpen, ack] = useDisclosure(false);
  const local = useRef<HTMLTextAreaElement | null>(null);
  const tone = useToneCheck(text, locale, mode === 'reply');
  const toneErrors = tone.fresh ? (tone.result?.findings.filter((f) => f.severity === 'error').length ?? 0) : 0;

  useEffect(() => {
    try {
      if (text) sessionStorage.setItem(draftKey(caseId, mode), text);
      else sessionStorage.removeItem(draftKey(caseId, mode));
    } catch {
      // private mode: drafts are not kept
    }
  }, [caseId, mode, text]);

  const switchMode = (m: Mode) => {
    setMode(m);
    setText(loadDraft(caseId, m));
    requestAnimationFrame(() => local.current?.focus());
  };

  const apply = (f: ToneFinding) => {
    let next: string;
    let at: number;
    if (f.span) {
      next = text.slice(0, f.span[0]) + f.suggestion + text.slice(f.span[1]);
      at = f.span[0];
    } else {
      ({ text: next, at } = withSentence(text, f));
    }
    setText(next);
    // A rewrite with a [placeholder] leaves it selected, so typing replaces it.
    const open = f.suggestion.indexOf('[');
    const close = f.suggestion.indexOf(']', open);
    requestAnimationFrame(() => {
      const el = local.current;
      if (!el) return;
      el.focus();
      if (open >= 0 && close > open) el.setSelectionRange(at + open, at + close + 1);
      else el.setSelectionRange(at + f.suggestion.length, at + f.suggestion.length);
    });
  };

  /** A suggestion or saved reply: the whole draft when it is empty, else at the caret (replacing a selection). */
  const insert = (sug: ReplySuggestion) => {
    const el = local.current;
    let next: string;
    let start: number;
    if (!text.trim()) {
      next = sug.text;
      start = 0;
    } else {
      const from = el?.selectionStart ?? text.length;
      const to = el?.selectionEnd ?? from;
      next = text.slice(0, from) + sug.text + text.slice(to);
      start = from;
    }
    setText(next);
    // A [placeholder] (a code still to be issued) is selected, so typing replaces it.
    const open = sug.text.search(/\[[^\]\n]{1,40}\]/);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      if (open >= 0) el.setSelectionRange(start + open, start + sug.text.indexOf(']', open) + 1);
      else el.setSelectionRange(start + sug.text.length, start + sug.text.length);
    });
  };

  const submit = async () => {
    const body = text.trim();
    if (!body || sending || disabled) return;
    setSending(true);
    try {
      await send({ kind: mode, body });
      setText('');
      notifications.show({
        color: 'green',
        message: mode === 'reply' ? `Reply queued for ${customer}.` : 'Note added for the team.',
      });
    } catch (err) {
      notifications.show({ color: 'red', title: mode === 'reply' ? 'Reply not sent' : 'Note not added', message: errorMessage(err) });
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };

  const setRefs = (el: HTMLTextAreaElement | null) => {
    local.current = el;
    if (typeof textareaRef === 'function') textareaRef(el);
    else if (textareaRef) (textareaRef as { current: HTMLTextAreaElement | null }).current = el;
  };

  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component="section"
      aria-labelledby="composer-heading"
      bg={mode === 'note' ? 'yellow.0' : undefined}
      style={mode === 'note' ? { borderStyle: 'dashed', borderColor: 'var(--mantine-color-yellow-6)' } : undefined}
    >
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text id="composer-heading" fw={600}>
            {mode === 'reply' ? `Reply to ${customer}` : 'Internal note'}
          </Text>
          <SegmentedControl
            size="xs"
            value={mode}
            onChange={(v) => switchMode(v as Mode)}
            data={[
              { value: 'reply', label: 'Reply to customer' },
              { value: 'note', label: 'Internal note' },
            ]}
            aria-label="What to write"
          />
        </Group>
        {mode === 'reply' && guidance.length > 0 ? (
          <Alert color="orange" variant="light" title="Before you write" p="xs">
            <List size="sm" spacing={2}>
              {guidance.map((g) => (
                <List.Item key={g}>{g}</List.Item>
              ))}
            </List>
          </Alert>
        ) : null}
        {mode === 'reply' && acknowledgement ? (
          <div>
            <Button variant="subtle" size="compact-sm" onClick={ack.toggle} aria-expanded={ackOpen} px={0}>
              {ackOpen ? 'Hide' : 'Show'} the acknowledgement already sent
            </Button>
            <Collapse expanded={ackOpen}>
              <Paper bg="gray.0" p="sm" mt={4} radius="sm">
                <Text size="sm" className="prewrap">
                  {acknowledgement.body}
                </Text>
                <Button
                  mt="xs"
                  size="compact-xs"
                  variant="default"
                  onClick={() => {
                    setText(acknowledgement.body);
                    ack.close();
                    requestAnimationFrame(() => local.current?.focus());
                  }}
                >
                  Start from this text
                </Button>
              </Paper>
            </Collapse>
          </div>
        ) : null}
        {mode === 'reply' ? <SuggestionPicker caseId={caseId} onInsert={insert} /> : null}
        <Textarea
          ref={setRefs}
          id="composer"
          label={mode === 'reply' ? 'Your reply' : 'Note (only your team sees it)'}
          description={mode === 'reply' ? 'Own the problem, say sorry for it, and say what happens next.' : undefined}
          placeholder={mode === 'reply' ? `Write to ${customer}…` : 'What should the next person know?'}
          autosize
          minRows={5}
          maxRows={16}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          disabled={disabled}
        />
        {mode === 'reply' ? (
          <ToneFindings
            result={tone.result}
            fresh={tone.fresh}
            checking={tone.checking}
            error={tone.error}
            tooLong={tone.tooLong}
            empty={!text.trim()}
            onApply={apply}
          />
        ) : null}
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="xs" c="dimmed">
            <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> to {mode === 'reply' ? 'send' : 'add'}
          </Text>
          <Group gap="xs">
            {mode === 'reply' && toneErrors > 0 ? (
              <Text size="xs" c="red.9">
                The customer would notice {toneErrors === 1 ? 'this problem' : 'these problems'}.
              </Text>
            ) : null}
            <Button
              onClick={() => void submit()}
              loading={sending}
              disabled={!text.trim() || disabled}
              color={mode === 'reply' && toneErrors > 0 ? 'orange' : undefined}
            >
              {mode === 'reply' ? (toneErrors > 0 ? 'Send anyway' : 'Send reply') : 'Add note'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
