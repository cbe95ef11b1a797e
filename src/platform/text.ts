/** PostgreSQL cannot store NUL in text; refuse it at the edge, on both engines alike. */
export const noNul = (s: string): boolean => !s.includes('\u0000');
export const NUL_MESSAGE = 'must not contain NUL (\\u0000) characters';
