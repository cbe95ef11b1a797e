import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePolicy } from './parse-policy.ts';
import type { Policy } from './policy.schema.ts';

/** policies/default.yaml: what a store uses until it activates a policy of its own. */
export const defaultPolicyFile = fileURLToPath(new URL('../../policies/default.yaml', import.meta.url));

let cached: { policy: Policy; hash: string; source: string } | undefined;

export function defaultPolicy(): { policy: Policy; hash: string; source: string } {
  if (!cached) {
    const source = fs.readFileSync(defaultPolicyFile, 'utf8');
    const parsed = parsePolicy(source);
    if (!parsed.ok)
      throw new Error(`${defaultPolicyFile} is invalid: ${parsed.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}`);
    cached = { policy: parsed.policy, hash: parsed.hash, source };
  }
  return cached;
}
