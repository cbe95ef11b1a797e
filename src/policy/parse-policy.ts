/**
 * Reads a policy file: YAML → zod, with every error pointing at the line and
 * column of the value it is about (or of the mapping a missing key belongs in).
 */
import { createHash } from 'node:crypto';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../events/envelope.ts';
import { type Policy, policySchema } from './policy.schema.ts';

export interface PolicyError {
  message: string;
  /** Dotted path into the file, e.g. `matrix[3].offers[0]`; empty for the whole file. */
  path: string;
  line: number;
  column: number;
}

export type ParsedPolicy = { ok: true; policy: Policy; hash: string } | { ok: false; errors: PolicyError[] };

/** The version of a policy is the sha256 of its exact text: the same file is the same version. */
export function policyHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

export function parsePolicy(source: string): ParsedPolicy {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => ({ message: e.message.split('\n')[0]!, path: '', ...at(e.pos[0]) })) };
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      errors: [{ message: 'a policy is a YAML mapping (version, name, currency, tiers, offers, matrix, …)', path: '', line: 1, column: 1 }],
    };
  }
  const currency = (raw as { currency?: unknown }).currency;
  if (typeof currency !== 'string' || !isCurrency(currency)) {
    const node = doc.get('currency', true) as Node | undefined;
    return {
      ok: false,
      errors: [{ message: 'currency must be an ISO 4217 code such as USD or EUR', path: 'currency', ...at(node?.range?.[0] ?? 0) }],
    };
  }
  const result = policySchema(currency).safeParse(raw);
  if (!result.success) {
    const errors = result.error.issues.map((i) => locate(doc, i, at)).sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, errors };
  }
  return { ok: true, policy: result.data, hash: policyHash(source) };
}

function isCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return true;
  } catch {
    return false;
  }
}

/** The deepest node that exists along the issue's path: the value itself, or the mapping a missing key belongs to. */
function locate(
  doc: ReturnType<typeof parseDocument>,
  issue: z.core.$ZodIssue,
  at: (offset: number) => { line: number; column: number },
): PolicyError {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  let node: unknown = doc.contents;
  let found = node as Node | null;
  for (const key of path) {
    if (isMap(node) || isSeq(node)) {
      const next = node.get(key, true) as unknown;
      if (next === undefined) break;
      node = next;
      if (node && typeof node === 'object' && 'range' in node) found = node as Node;
    } else break;
  }
  // A bad record key (an offer id) is reported at the key, not at its value.
  if (issue.code === 'invalid_key' && path.length > 0) {
    const parent = path.length > 1 ? (doc.getIn(path.slice(0, -1), true) as unknown) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => String((p.key as { value?: unknown })?.value) === String(path.at(-1)));
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return { message: issue.message, path: formatPath(path), ...at(keyNode.range[0]) };
    }
  }
  // An unknown key is reported at the key itself, not at its parent mapping.
  if (issue.code === 'unrecognized_keys' && isMap(found)) {
    const pair = found.items.find((p) => issue.keys.includes(String((p.key as { value?: unknown })?.value)));
    const keyNode = pair?.key as Node | undefined;
    if (keyNode?.range) return { message: issue.message, path: formatPath([...path, issue.keys[0]!]), ...at(keyNode.range[0]) };
  }
  return { message: issue.message, path: formatPath(path), ...at(found?.range?.[0] ?? 0) };
}

/** "policies/x.yaml:12:5 matrix[3].offers[0]: unknown offer …" lines, for the CLI. */
export function formatPolicyErrors(file: string, errors: PolicyError[]): string {
  return errors.map((e) => `${file}:${e.line}:${e.column} ${e.path ? `${e.path}: ` : ''}${e.message}`).join('\n');
}
