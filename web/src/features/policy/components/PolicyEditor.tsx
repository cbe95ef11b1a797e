import { Box, Textarea } from '@mantine/core';
import { forwardRef, type ReactNode, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { PolicyError } from '../types.ts';

const LINE_HEIGHT = 20;
const PAD_TOP = 8;
const GUTTER = 56;
const VISIBLE_LINES = 26;

export interface PolicyEditorHandle {
  /** Focuses the editor with the cursor at a line and column (1-based), scrolled into view. */
  goTo(line: number, column: number): void;
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  errors: readonly PolicyError[];
  readOnly?: boolean;
}

/**
 * A plain textarea for YAML with a gutter of line numbers; lines with an error are marked in the gutter and
 * tinted behind the text. No editor package: the textarea keeps native editing, undo and accessibility.
 */
export const PolicyEditor = forwardRef<PolicyEditorHandle, Props>(function PolicyEditor({ value, onChange, errors, readOnly }, ref) {
  const area = useRef<HTMLTextAreaElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState(0);
  // Where the first line of text sits in the box: the gutter and the marks are drawn from there.
  const [top, setTop] = useState(PAD_TOP);
  useLayoutEffect(() => {
    const el = area.current;
    const b = box.current;
    if (!el || !b) return;
    const cs = getComputedStyle(el);
    const measured =
      el.getBoundingClientRect().top -
      b.getBoundingClientRect().top +
      Number.parseFloat(cs.borderTopWidth) +
      Number.parseFloat(cs.paddingTop);
    if (Number.isFinite(measured)) setTop(measured);
  }, []);
  const lineCount = useMemo(() => value.split('\n').length, [value]);
  const errorLines = useMemo(() => new Set(errors.map((e) => e.line)), [errors]);

  useImperativeHandle(ref, () => ({
    goTo(line, column) {
      const el = area.current;
      if (!el) return;
      const lines = el.value.split('\n');
      let offset = 0;
      for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i]!.length + 1;
      offset += Math.max(0, Math.min(column - 1, lines[line - 1]?.length ?? 0));
      el.focus();
      el.setSelectionRange(offset, offset);
      el.scrollTop = Math.max(0, (line - 1) * LINE_HEIGHT - el.clientHeight / 3);
      setScroll(el.scrollTop);
    },
  }));

  const numbers: ReactNode[] = [];
  for (let i = 1; i <= lineCount; i++) {
    const bad = errorLines.has(i);
    numbers.push(
      <div
        key={i}
        data-error-line={bad ? i : undefined}
        style={{
          height: LINE_HEIGHT,
          paddingRight: 8,
          textAlign: 'right',
          color: bad ? 'var(--mantine-color-red-9)' : 'var(--mantine-color-dimmed)',
          fontWeight: bad ? 700 : 400,
          background: bad ? 'var(--mantine-color-red-1)' : undefined,
        }}
      >
        {bad ? '● ' : ''}
        {i}
      </div>,
    );
  }

  return (
    <Textarea
      ref={area}
      label="Policy file (YAML)"
      description="Edit the policy here; it is checked as you type. Line numbers and errors are in the margin."
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      onScroll={(e) => setScroll(e.currentTarget.scrollTop)}
      readOnly={readOnly}
      spellCheck={false}
      autoComplete="off"
      autoCapitalize="off"
      wrap="off"
      error={
        errors.length > 0
          ? `${errors.length === 1 ? '1 error' : `${errors.length} errors`}, marked in the margin and listed below the editor`
          : undefined
      }
      inputContainer={(children) => (
        <Box ref={box} pos="relative" style={{ borderRadius: 'var(--mantine-radius-sm)', overflow: 'hidden' }}>
          <Box
            aria-hidden
            pos="absolute"
            top={0}
            left={0}
            bottom={0}
            w={GUTTER}
            bg="var(--mantine-color-gray-0)"
            style={{ borderRight: '1px solid var(--mantine-color-gray-3)', overflow: 'hidden', zIndex: 0 }}
          >
            <div
              style={{
                transform: `translateY(${top - scroll}px)`,
                fontFamily: 'var(--mantine-font-family-monospace)',
                fontSize: 12,
                lineHeight: `${LINE_HEIGHT}px`,
              }}
            >
              {numbers}
            </div>
          </Box>
          <Box aria-hidden pos="absolute" top={0} left={GUTTER} right={0} bottom={0} style={{ overflow: 'hidden', zIndex: 0 }}>
            {[...errorLines].map((line) => (
              <div
                key={line}
                style={{
                  position: 'absolute',
                  left: 0,
                  right: 0,
                  top: top + (line - 1) * LINE_HEIGHT - scroll,
                  height: LINE_HEIGHT,
                  background: 'var(--mantine-color-red-1)',
                  borderBottom: '2px dotted var(--mantine-color-red-7)',
                }}
              />
            ))}
          </Box>
          {children}
        </Box>
      )}
      styles={{
        input: {
          position: 'relative',
          display: 'block',
          zIndex: 1,
          background: 'transparent',
          // The error state colours only the border: the lines at fault are marked, not the whole text.
          color: 'var(--mantine-color-text)',
          fontFamily: 'var(--mantine-font-family-monospace)',
          fontSize: 13,
          lineHeight: `${LINE_HEIGHT}px`,
          paddingTop: PAD_TOP,
          paddingBottom: PAD_TOP,
          paddingLeft: GUTTER + 10,
          height: VISIBLE_LINES * LINE_HEIGHT + 2 * PAD_TOP,
          whiteSpace: 'pre',
          overflowWrap: 'normal',
          overflow: 'auto',
          resize: 'vertical',
          tabSize: 2,
        },
      }}
    />
  );
});
