import { Box, Button, Group, Loader, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { errorMessage } from '../../../api/client.ts';
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
  /** The server has more cases in this queue than are loaded. */
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  loadMoreError: unknown;
}

/** Rows from the end of what is loaded at which the next page is asked for. */
const LOAD_AHEAD = 10;

/**
 * The inbox list, virtualised: only the rows on screen (and a few around) are in the page. The server pages
 * it; scrolling near the end loads the next page, and the last line says so (or offers a button).
 */
export function CaseList({
  cases,
  now,
  activeIndex,
  onActivate,
  focusActive,
  assigneeName,
  awaitingApproval,
  label,
  hasMore,
  loadingMore,
  onLoadMore,
  loadMoreError,
}: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowRefs = useRef(new Map<number, HTMLAnchorElement>());
  const footer = hasMore || loadMoreError !== null;
  const virtualizer = useVirtualizer({
    count: cases.length + (footer ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 68,
    overscan: 8,
    getItemKey: (i) => cases[i]?.id ?? 'more',
  });

  useEffect(() => {
    if (activeIndex < 0 || activeIndex >= cases.length) return;
    virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
    if (!focusActive) return;
    // The row may only exist after the scroll renders it.
    const id = requestAnimationFrame(() => rowRefs.current.get(activeIndex)?.focus({ preventScroll: true }));
    return () => cancelAnimationFrame(id);
  }, [activeIndex, focusActive, cases.length, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const lastShown = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (hasMore && !loadingMore && loadMoreError === null && lastShown >= cases.length - LOAD_AHEAD) onLoadMore();
  }, [hasMore, loadingMore, loadMoreError, lastShown, cases.length, onLoadMore]);

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
      <Box role="list" aria-label={label} aria-busy={loadingMore} style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const c = cases[item.index];
          return (
            <Box
              key={item.key}
              role="listitem"
              data-index={item.index}
              ref={virtualizer.measureElement}
              style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
            >
              {c ? (
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
              ) : (
                <Group justify="center" gap="sm" p="sm" mih={56}>
                  {loadingMore ? (
                    <>
                      <Loader size="xs" aria-hidden />
                      <Text size="sm" c="dimmed">
                        Loading more cases…
                      </Text>
                    </>
                  ) : (
                    <>
                      {loadMoreError !== null ? (
                        <Text size="sm" c="red.9">
                          Could not load more: {errorMessage(loadMoreError)}
                        </Text>
                      ) : null}
                      <Button size="compact-sm" variant="default" onClick={onLoadMore}>
                        {loadMoreError !== null ? 'Try again' : 'Load more cases'}
                      </Button>
                    </>
                  )}
                </Group>
              )}
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}
