import type { Role } from '../../api/types.ts';

/** A person of the store as GET /api/v1/users answers (with `include=disabled`, the deactivated ones too). */
export interface TeamMember {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
  /** False without a password, or when deactivated. */
  canSignIn: boolean;
  disabledAt: string | null;
}

/** Answers that may carry a generated password, shown once. */
export interface WithPassword {
  user: TeamMember;
  password: string | null;
}
