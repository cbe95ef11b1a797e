/**
 * Loading the public datasets used to evaluate and benchmark triage (scripts/eval-triage.ts,
 * scripts/build-emotion-lexicon.ts, bench/triage.ts). Not imported by triageText: the
 * classifier itself stays free of I/O.
 */
import fs from 'node:fs';
import path from 'node:path';

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. Returns rows of raw fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field.length === 0) {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
    i++;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Parses a CSV with a header row into objects keyed by the header names. */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows
    .filter((r) => r.length > 1 || (r[0] ?? '') !== '')
    .map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])) as Record<string, string>);
}

/** 32-bit FNV-1a over the UTF-16 code units of a string: a stable, dependency-free hash for the split. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The fixed Bitext split: a row is `test` when fnv1a(instruction) % 10 < 3 (about 30 %), else `dev`.
 * Hashing the text (not the row number) keeps duplicate instructions on the same side.
 */
export function bitextSplit(instruction: string): 'dev' | 'test' {
  return fnv1a(instruction) % 10 < 3 ? 'test' : 'dev';
}

export interface BitextRow {
  instruction: string;
  intent: string;
  category: string;
  split: 'dev' | 'test';
}

export interface TweetRow {
  split: 'train' | 'val' | 'test';
  text: string;
  label: 'anger' | 'joy' | 'optimism' | 'sadness';
}

export const BITEXT_FILE = 'bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.csv';
export const TWEETEVAL_FILE = 'tweeteval-emotion/tweeteval_emotion_all.csv';

/** The datasets directory: AMENDS_DATASETS, else ../shared/datasets relative to the repo root. */
export function datasetsDir(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.AMENDS_DATASETS ? path.resolve(env.AMENDS_DATASETS) : path.resolve(repoRoot, '../shared/datasets');
}

export function datasetsAvailable(dir: string): boolean {
  return fs.existsSync(path.join(dir, BITEXT_FILE)) && fs.existsSync(path.join(dir, TWEETEVAL_FILE));
}

export function loadBitext(dir: string): BitextRow[] {
  return parseCsvObjects(fs.readFileSync(path.join(dir, BITEXT_FILE), 'utf8')).map((r) => ({
    instruction: r.instruction ?? '',
    intent: r.intent ?? '',
    category: r.category ?? '',
    split: bitextSplit(r.instruction ?? ''),
  }));
}

export function loadTweetEval(dir: string): TweetRow[] {
  return parseCsvObjects(fs.readFileSync(path.join(dir, TWEETEVAL_FILE), 'utf8')).map((r) => ({
    split: r.split as TweetRow['split'],
    text: r.text ?? '',
    label: r.label as TweetRow['label'],
  }));
}
