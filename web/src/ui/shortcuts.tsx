import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import type { Shortcut } from './ShortcutsDialog.tsx';

interface Section {
  id: number;
  title: string;
  shortcuts: Shortcut[];
}

interface Actions {
  add: (s: Section) => void;
  remove: (id: number) => void;
}

const SectionsContext = createContext<Section[]>([]);
const ActionsContext = createContext<Actions | null>(null);
let nextId = 1;

/** Holds the shortcuts of whatever is on screen, for the `?` dialog. */
export function ShortcutsProvider({ children }: { children: ReactNode }) {
  const [sections, setSections] = useState<Section[]>([]);
  const actions = useMemo<Actions>(
    () => ({
      add: (s) => setSections((all) => [...all.filter((x) => x.id !== s.id), s].sort((a, b) => a.id - b.id)),
      remove: (id) => setSections((all) => all.filter((x) => x.id !== id)),
    }),
    [],
  );
  return (
    <ActionsContext.Provider value={actions}>
      <SectionsContext.Provider value={sections}>{children}</SectionsContext.Provider>
    </ActionsContext.Provider>
  );
}

/** Lists a screen's shortcuts in the help dialog while it is mounted (the keys themselves are bound by the caller). */
export function useShortcutHelp(title: string, shortcuts: Shortcut[]): void {
  const actions = useContext(ActionsContext);
  const [id] = useState(() => nextId++);
  const key = JSON.stringify(shortcuts);
  useEffect(() => {
    if (!actions) return;
    actions.add({ id, title, shortcuts: JSON.parse(key) as Shortcut[] });
    return () => actions.remove(id);
  }, [actions, id, title, key]);
}

export function useShortcutSections(): { title: string; shortcuts: Shortcut[] }[] {
  return useContext(SectionsContext);
}
