/** Who may do what. Higher roles include everything lower roles may do. */
export const roles = ['agent', 'manager', 'admin'] as const;
export type Role = (typeof roles)[number];

export function roleAtLeast(have: Role, need: Role): boolean {
  return roles.indexOf(have) >= roles.indexOf(need);
}
