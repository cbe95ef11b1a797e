/** The browser's IANA time zones (plus UTC and the ones in use), for the time zone pickers. */
export function timeZoneOptions(...inUse: (string | null | undefined)[]): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  const all = new Set([...zones, 'UTC', ...inUse.filter((z): z is string => !!z)]);
  return [...all].sort((a, b) => a.localeCompare(b));
}
