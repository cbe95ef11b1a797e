import fs from 'node:fs';
import type { Policy } from '../policy/policy.schema.ts';

/**
 * Reads and validates a policy file for a CLI command. An unreadable file throws; an invalid one has its
 * errors printed as FILE:LINE:COLUMN lines on stderr, sets the exit code to 1 and gives null.
 */
export async function loadPolicyFile(file: string): Promise<{ source: string; policy: Policy; hash: string } | null> {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : String(err)}`);
  }
  // Loaded here, not at the top: every command pays for what main.ts imports.
  const { parsePolicy, formatPolicyErrors } = await import('../policy/parse-policy.ts');
  const parsed = parsePolicy(source);
  if (!parsed.ok) {
    process.stderr.write(`${formatPolicyErrors(file, parsed.errors)}\n`);
    process.exitCode = 1;
    return null;
  }
  return { source, policy: parsed.policy, hash: parsed.hash };
}
