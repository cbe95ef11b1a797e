import { ApiError, errorMessage } from '../../api/client.ts';

export interface FieldErrors {
  /** The message for the field at exactly this API path (e.g. `businessHours.weekly.mon[0].end`), without the path. */
  at(path: string): string | undefined;
  /** True when the error belongs to this path or anything under it (`savedReplies[2]` for `savedReplies[2].body`). */
  under(path: string): boolean;
  /** The message when no field of the form shows it (shown above the Save button), else null. */
  other: string | null;
}

/** Splits an API error into the field it names and a message for the rest; `shown` lists the paths the form draws. */
export function fieldErrors(err: unknown, shown: (path: string) => boolean): FieldErrors {
  if (!err) return { at: () => undefined, under: () => false, other: null };
  const path = err instanceof ApiError ? err.path : undefined;
  const raw = errorMessage(err);
  const message = path && raw.startsWith(`${path}: `) ? raw.slice(path.length + 2) : raw;
  const fits = path !== undefined && shown(path);
  return {
    at: (p) => (fits && p === path ? message : undefined),
    under: (p) => path !== undefined && (path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)),
    other: fits ? null : raw,
  };
}
