/**
 * bench:triage — how fast text triage is, in process and through the real CLI.
 *
 * (a) triageText texts/s over real texts (Bitext customer utterances and TweetEval tweets,
 *     or the demo complaint texts when the datasets are missing), after a warm-up pass;
 * (b) the baseline in the same run: bare VADER polarity_scores over the same texts; ratio = ours / VADER.
 *     Triage computes the same VADER scores per text (src/triage/sentiment.ts, several times faster than
 *     polarity_scores) and everything else on top, so the ratio can exceed 1;
 * (c) wall time of `node bin/amends.js triage FILE` on 1,000 lines, a spawned process including
 *     its startup (median of 5 runs after one untimed run that fills tsx's transform cache).
 * Prints human lines, then one JSON object as the last line. Exits 1 when a target is missed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vader from 'vader-sentiment';
import { complaintKinds, complaintText } from '../src/demo/complaint-texts.ts';
import { seededRng } from '../src/demo/rng.ts';
import { datasetsAvailable, datasetsDir, loadBitext, loadTweetEval } from '../src/triage/datasets.ts';
import { polarityScores } from '../src/triage/sentiment.ts';
import { triageText } from '../src/triage/triage-text.ts';

const root = path.resolve(import.meta.dirname, '..');
const TARGETS = { textsPerSec: 3000, cli1000Ms: 1000 };
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 5);

function corpus(): { texts: string[]; source: string } {
  const dir = datasetsDir(root);
  if (datasetsAvailable(dir)) {
    const bitext = loadBitext(dir).map((r) => r.instruction);
    const tweets = loadTweetEval(dir).map((r) => r.text);
    // Interleave so that the first 1,000 (the CLI file) hold both kinds of text.
    const texts: string[] = [];
    for (let i = 0; i < Math.max(bitext.length, tweets.length); i++) {
      if (i < bitext.length) texts.push(bitext[i]!);
      if (i < tweets.length) texts.push(tweets[i]!);
    }
    return { texts, source: `${bitext.length} Bitext utterances + ${tweets.length} TweetEval tweets (${dir})` };
  }
  const rng = seededRng(2024);
  const texts = Array.from({ length: 5000 }, (_, i) => {
    const c = complaintText(complaintKinds[i % complaintKinds.length]!, rng, { orderId: `ord-${1000 + i}`, itemName: 'Gooseneck kettle' });
    return `${c.subject}\n${c.body}`;
  });
  return { texts, source: `5000 demo complaint texts (datasets not found in ${dir})` };
}

/** Runs fn over the texts in full passes until `seconds` have elapsed; texts per second. */
function throughput(texts: readonly string[], fn: (t: string) => unknown, seconds: number): number {
  let n = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (const t of texts) fn(t);
    n += texts.length;
    elapsed = (performance.now() - started) / 1000;
  } while (elapsed < seconds);
  return n / elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runCli(file: string, lines: number): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/amends.js'), 'triage', file], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`amends triage exited ${r.status}: ${r.stderr}`);
  const out = r.stdout.trimEnd().split('\n');
  if (out.length !== lines) throw new Error(`amends triage wrote ${out.length} lines for ${lines}`);
  return ms;
}

const { texts, source } = corpus();
console.log(`bench:triage — ${os.cpus().length} cores, Node ${process.version}`);
console.log(`texts: ${source}; mean length ${(texts.reduce((a, t) => a + t.length, 0) / texts.length).toFixed(0)} chars`);

// Warm both up on the same texts, then alternate so that neither gets the quieter machine.
for (const t of texts) triageText({ text: t });
for (const t of texts) vader.SentimentIntensityAnalyzer.polarity_scores(t);
const ours: number[] = [];
const base: number[] = [];
for (let round = 0; round < 2; round++) {
  ours.push(throughput(texts, (t) => triageText({ text: t }), SECONDS / 2));
  base.push(throughput(texts, (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t), SECONDS / 2));
}
for (const t of texts) polarityScores(t);
const sentimentOnly = throughput(texts, polarityScores, SECONDS / 2);
const textsPerSec = Math.max(...ours);
const vaderTextsPerSec = Math.max(...base);
const ratio = textsPerSec / vaderTextsPerSec;
console.log(`triageText (in process):    ${textsPerSec.toFixed(0)} texts/s (target >= ${TARGETS.textsPerSec})`);
console.log(`bare VADER polarity_scores: ${vaderTextsPerSec.toFixed(0)} texts/s (baseline)`);
console.log(`ratio triage/VADER: ${ratio.toFixed(2)}`);
console.log(
  `  (triage computes the same VADER scores through src/triage/sentiment.ts, ${sentimentOnly.toFixed(0)} texts/s on its own, ` +
    'which skips the 34-strings-per-word map polarity_scores builds; that is why all of triage can beat bare VADER)',
);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amends-bench-triage-'));
let cli1000Ms: number;
let cliRuns: number[];
try {
  const file = path.join(dir, 'messages.jsonl');
  const lines = texts.slice(0, 1000);
  fs.writeFileSync(file, `${lines.map((text, i) => JSON.stringify({ id: `m${i + 1}`, text })).join('\n')}\n`);
  runCli(file, lines.length); // untimed: fills tsx's transform cache, like any installed CLI after its first run
  cliRuns = Array.from({ length: CLI_RUNS }, () => runCli(file, lines.length));
  cli1000Ms = median(cliRuns);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(
  `amends triage FILE, 1,000 lines (spawned, with startup): median ${cli1000Ms.toFixed(0)} ms of ${cliRuns
    .map((ms) => ms.toFixed(0))
    .join(', ')} (target < ${TARGETS.cli1000Ms})`,
);

const missed: string[] = [];
if (textsPerSec < TARGETS.textsPerSec) missed.push(`in-process ${textsPerSec.toFixed(0)} texts/s < ${TARGETS.textsPerSec}`);
if (cli1000Ms >= TARGETS.cli1000Ms) missed.push(`CLI ${cli1000Ms.toFixed(0)} ms >= ${TARGETS.cli1000Ms}`);
if (missed.length > 0) {
  console.error(`bench:triage: target missed: ${missed.join('; ')}`);
  process.exitCode = 1;
}
console.log(
  JSON.stringify({
    textsPerSec: Math.round(textsPerSec),
    vaderTextsPerSec: Math.round(vaderTextsPerSec),
    ratio: Number(ratio.toFixed(3)),
    sentimentOnlyTextsPerSec: Math.round(sentimentOnly),
    cli1000Ms: Math.round(cli1000Ms),
    cliRunsMs: cliRuns.map((ms) => Math.round(ms)),
    texts: texts.length,
    targetsMet: missed.length === 0,
  }),
);
