import { type CSSVariablesResolver, createTheme, DEFAULT_THEME, type MantineColorsTuple } from '@mantine/core';

/** A palette whose darkest shade is darker still, so text in that colour reads on its own light tint (WCAG AA). */
function deeper(name: keyof typeof DEFAULT_THEME.colors, shade9: string): MantineColorsTuple {
  const c = [...(DEFAULT_THEME.colors[name] ?? [])];
  c[9] = shade9;
  return c as unknown as MantineColorsTuple;
}

/**
 * Filled components use shade 9 and light ones use shade 9 for their text: with the deeper shades below,
 * every badge, button and coloured text keeps a contrast of at least 4.5:1.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 9, dark: 8 },
  autoContrast: true,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  focusRing: 'auto',
  colors: {
    orange: deeper('orange', '#a33500'),
    yellow: deeper('yellow', '#8a5100'),
    green: deeper('green', '#1f6b2e'),
    teal: deeper('teal', '#06694b'),
    cyan: deeper('cyan', '#095e6e'),
    red: deeper('red', '#b02020'),
    blue: deeper('blue', '#14599a'),
  },
  components: {
    // A notification's close button is an icon: it needs a name for screen readers (axe: button-name).
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } } },
  },
});

/** Dimmed text one shade darker, and hovered light backgrounds one shade lighter, for the same reason. */
export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(Object.keys(t.colors).map((name) => [`--mantine-color-${name}-light-hover`, `var(--mantine-color-${name}-1)`])),
  },
  dark: {},
});
