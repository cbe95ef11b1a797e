import { useHotkeys } from '@mantine/hooks';

/**
 * Single-key shortcuts (`j`, `k`, `enter`…) that stay out of the way: not while typing in a field, and not
 * while a dialog is open over the page. A handler that returns false leaves the key to the browser.
 */
export function useKeys(bindings: [string, (e: KeyboardEvent) => unknown][], enabled = true): void {
  useHotkeys(
    bindings.map(([key, run]) => [
      key,
      (e: KeyboardEvent) => {
        if (!enabled || e.defaultPrevented || document.querySelector('[aria-modal="true"]')) return;
        // Otherwise the key that moves the focus into a field would also be typed there.
        if (run(e) !== false) e.preventDefault();
      },
      { preventDefault: false },
    ]),
    ['INPUT', 'TEXTAREA', 'SELECT'],
  );
}
