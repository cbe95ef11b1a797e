import { useEffect } from 'react';

/** Sets the tab's title, so history and screen readers say where the user is. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Amends`;
  }, [title]);
}
