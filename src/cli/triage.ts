import fs from 'node:fs';
import readline from 'node:readline';
import { Command } from 'commander';
import type { TriageContext, TriageInput, TriageResult } from '../triage/labels.ts';

type LineResult = { ok: true; json: string } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One input line `{ "id", "text", "subject"?, "context"? }` → the same object with a `triage` field, or why not. */
export function triageLine(line: string, triage: (input: TriageInput) => TriageResult): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(value)) return { ok: false, reason: 'not a JSON object' };
  if (typeof value.text !== 'string') {
    return { ok: false, reason: `text: expected a string, got ${value.text === undefined ? 'nothing' : typeof value.text}` };
  }
  if (value.subject !== undefined && value.subject !== null && typeof value.subject !== 'string') {
    return { ok: false, reason: `subject: expected a string, got ${typeof value.subject}` };
  }
  if (value.context !== undefined && !isObject(value.context)) return { ok: false, reason: 'context: expected an object' };
  const result = triage({
    text: value.text,
    ...(typeof value.subject === 'string' ? { subject: value.subject } : {}),
    ...(value.context ? { context: value.context as TriageContext } : {}),
  });
  return { ok: true, json: JSON.stringify({ ...value, triage: result }) };
}

export function triageCommand(): Command {
  return new Command('triage')
    .description(
      'Triage customer messages: reads JSON Lines {"id", "text", "subject"?, "context"?} from FILE (or - for standard input) and ' +
        'writes each object back with a "triage" field (kind, severity, emotion, sentiment, threats, urgency, language), in input order. ' +
        'Bad lines are reported on stderr as "line N: …"; the exit code is then 1. Needs no database.',
    )
    .argument('[file]', 'a .jsonl file, or - for stdin', '-')
    .action(async (file: string) => {
      let input: NodeJS.ReadableStream = process.stdin;
      if (file !== '-') {
        const stream = fs.createReadStream(file);
        await new Promise<void>((resolve, reject) => {
          stream.once('open', () => resolve());
          stream.once('error', (err: Error) => reject(new Error(`cannot read ${file}: ${err.message}`)));
        });
        input = stream;
      }
      // Loaded here, not at the top: every command pays for what main.ts imports.
      const { triageText } = await import('../triage/triage-text.ts');
      let n = 0;
      let rejected = 0;
      let out: string[] = [];
      const flush = () => {
        if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
        out = [];
      };
      for await (const line of readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
        n++;
        if (line.trim() === '') continue;
        const r = triageLine(line, triageText);
        if (r.ok) {
          out.push(r.json);
          if (out.length >= 256) flush();
        } else {
          rejected++;
          flush(); // keep stdout and stderr in line order when both go to one terminal
          process.stderr.write(`line ${n}: ${r.reason}\n`);
        }
      }
      flush();
      if (rejected > 0) process.exitCode = 1;
    });
}
