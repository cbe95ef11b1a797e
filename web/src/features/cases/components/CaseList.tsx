import { Box } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { CaseSummary } from '../../../api/types.ts';
import { CaseRow } from './CaseRow.tsx';

interface Props {
  cases: CaseSummary[];
  now: number;
  activeIndex: number;
  onActivate: (index: number) => void;
  /** Move the keyboard focus onto the active row (after j/k), not just the highlight. */
  focusActive: boolean;
  assigneeName: (id: string | null) => string | null;
  awaitingApproval: ReadonlySet<string>;
  label: string;
}

/** The inbox list, virtualised: only the rows on screen (and a few around) are in the page. */
export function CaseList({ cases, now, activeIndex, onActivate, focusActive, assigneeName, awaitingApproval, label }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowRefs = useRef(new Map<number, HTMLAnchorElement>());
  const virtualizer = useVirtualizer({
    count: cases.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 68,
    overscan: 8,
    getItemKey: (i) => cases[i]?.id ?? i,
  });

  useEffect(() => {
    if (activeIndex < 0 || activeIndex >= cases.length) return;
    virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
    if (!focusActive) return;
    // The row may only exist after the scroll renders it.
    const id = requestAnimationFrame(() => rowRefs.current.get(activeIndex)?.focus({ preventScroll: true }));
    return () => cancelAnimationFrame(id);
  }, [activeIndex, focusActive, cases.length, virtualizer]);

  return (
    <Box
      ref={scrollRef}
      style={{
        maxHeight: 'max(320px, calc(100dvh - 250px))',
        overflowY: 'auto',
        border: '1px solid var(--mantine-color-gray-3)',
        borderRadius: 8,
      }}
    >
      <Box role="list" aria-label={label} style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const c = cases[item.index]!;
          return (
            <Box
              key={item.key}
              role="listitem"
              data-index={item.index}
              ref={virtualizer.measureElement}
              style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
            >
              <CaseRow
                ref={(el) => {
                  if (el) rowRefs.current.set(item.index, el);
                  else rowRefs.current.delete(item.index);
                }}
                c={c}
                now={now}
                active={item.index === activeIndex}
                assignee={assigneeName(c.assigneeId)}
                awaitingApproval={awaitingApproval.has(c.id)}
                onFocus={() => onActivate(item.index)}
              />
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}
