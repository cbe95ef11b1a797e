/**
 * Regenerates src/triage/lexicons/emotions.generated.ts: the words that separate
 * TweetEval emotion classes, by weighted log-odds with an informative Dirichlet prior
 * (Monroe, Colaresi & Quinn 2008), counted once per tweet, on the train and val
 * splits only (the test split is kept for scripts/eval-triage.ts).
 *
 *   node --import tsx scripts/build-emotion-lexicon.ts
 *
 * Reads AMENDS_DATASETS or ../shared/datasets (tweeteval-emotion/tweeteval_emotion_all.csv).
 *
 * Tweets are full of topic words ("trump", "birthday", "customer") that separate the classes of
 * this sample but carry no emotion. So a word is kept only if VADER's own lexicon
 * (node_modules/vader-sentiment/vader_lexicon.txt) lists it with a valence of the class's sign
 * (negative for anger and sadness, positive for joy/optimism), or if it is an emoji; and words
 * that name a failure in a customer message ("lost", "broken", "missed") are left out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { datasetsAvailable, datasetsDir, loadTweetEval } from '../src/triage/datasets.ts';
import { languageWords } from '../src/triage/lexicons/language.ts';
import { NEGATORS, tokenize } from '../src/triage/text.ts';

const root = path.resolve(import.meta.dirname, '..');
const dir = datasetsDir(root);
if (!datasetsAvailable(dir)) {
  process.stderr.write(`build-emotion-lexicon: datasets not found in ${dir} (set AMENDS_DATASETS)\n`);
  process.exit(1);
}

type Group = 'anger' | 'sadness' | 'positive';
const groupOf = { anger: 'anger', sadness: 'sadness', joy: 'positive', optimism: 'positive' } as const;
const groups: Group[] = ['anger', 'sadness', 'positive'];

const MIN_DF = 4;
const MIN_Z = 2;
const PER_GROUP = 150;
const PRIOR = 500;

const vader = new Map<string, number>();
for (const line of fs.readFileSync(path.join(root, 'node_modules/vader-sentiment/vader_lexicon.txt'), 'utf8').split('\n')) {
  const [word, valence] = line.split('\t');
  if (word && valence) vader.set(word, Number(valence));
}
const FAILURE_WORDS = new Set([
  'lost',
  'broken',
  'broke',
  'missed',
  'miss',
  'missing',
  'damaged',
  'damage',
  'cut',
  'fire',
  'late',
  'wrong',
  'fake',
  'pay',
]);
const isEmoji = (w: string) => /\p{Extended_Pictographic}/u.test(w);
function affective(word: string, group: Group): boolean {
  if (isEmoji(word)) return true;
  if (FAILURE_WORDS.has(word)) return false;
  const v = vader.get(word);
  return v !== undefined && (group === 'positive' ? v > 0 : v < 0);
}

const stop = new Set<string>([
  ...Object.values(languageWords).flatMap((s) => s.split(' ')),
  ...NEGATORS,
  'user',
  'amp',
  'rt',
  'http',
  'https',
]);

// --splits=train builds from train only (to check the lexicon on val while developing); the committed file uses train+val.
const splitsArg = process.argv.find((a) => a.startsWith('--splits='))?.slice('--splits='.length) ?? 'train,val';
const splits = new Set(splitsArg.split(','));
if ([...splits].some((s) => s !== 'train' && s !== 'val')) {
  process.stderr.write('build-emotion-lexicon: --splits takes train and/or val; the test split is never used\n');
  process.exit(1);
}
const rows = loadTweetEval(dir).filter((r) => splits.has(r.split));
const df: Record<Group, Map<string, number>> = { anger: new Map(), sadness: new Map(), positive: new Map() };
const docs: Record<Group, number> = { anger: 0, sadness: 0, positive: 0 };
const all = new Map<string, number>();
for (const r of rows) {
  const g = groupOf[r.label];
  docs[g]++;
  const seen = new Set(tokenize(r.text).map((t) => t.norm));
  for (const w of seen) {
    if (stop.has(w) || (w.length < 3 && !isEmoji(w)) || /^\d/.test(w)) continue;
    df[g].set(w, (df[g].get(w) ?? 0) + 1);
    all.set(w, (all.get(w) ?? 0) + 1);
  }
}
const nDocs = rows.length;

interface Entry {
  word: string;
  group: Group;
  z: number;
  df: number;
}
const entries: Entry[] = [];
for (const [w, total] of all) {
  if (total < MIN_DF) continue;
  const alpha = (PRIOR * total) / nDocs;
  let best: Entry | undefined;
  for (const g of groups) {
    const y = df[g].get(w) ?? 0;
    const yr = total - y;
    const n = docs[g];
    const nr = nDocs - n;
    const delta = Math.log((y + alpha) / (n + PRIOR - y - alpha)) - Math.log((yr + alpha) / (nr + PRIOR - yr - alpha));
    const z = delta / Math.sqrt(1 / (y + alpha) + 1 / (yr + alpha));
    if (!best || z > best.z) best = { word: w, group: g, z, df: y };
  }
  if (best && best.z >= MIN_Z && affective(best.word, best.group)) entries.push(best);
}

/** An object key as Biome writes it: bare when it is an identifier, else single-quoted. */
const key = (w: string) => (/^[A-Za-z_$][\w$]*$/.test(w) ? w : `'${w.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
const out: string[] = [];
for (const g of groups) {
  const top = entries
    .filter((e) => e.group === g)
    .sort((a, b) => b.z - a.z || a.word.localeCompare(b.word))
    .slice(0, PER_GROUP);
  out.push(`  ${g}: {`);
  for (const e of top) out.push(`    ${key(e.word)}: ${Number(e.z.toFixed(2))},`);
  out.push('  },');
}

const file = path.join(root, 'src/triage/lexicons/emotions.generated.ts');
fs.writeFileSync(
  file,
  `// GENERATED by scripts/build-emotion-lexicon.ts — do not edit by hand; rerun the script.
//
// Source: TweetEval emotion (SemEval-2018 Task 1, Mohammad et al. 2018; github.com/cardiffnlp/tweeteval,
// released without restrictions; see the dataset's README.txt), splits ${[...splits].join(' + ')} only (${nDocs} tweets).
// Method: weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008, prior ${PRIOR}),
// document frequency, one class against the rest; classes anger, sadness, positive (= joy + optimism).
// Kept: words in >= ${MIN_DF} tweets with z >= ${MIN_Z} for their best class, top ${PER_GROUP} per class,
// stopwords and negators removed; only emoji and words VADER's lexicon lists with the class's sign
// (vader-sentiment 1.1.3, vader_lexicon.txt), minus words naming a failure (lost, broken…). Values are z-scores.
//
// triage-text.ts maps anger → anger, sadness → disappointment, positive → satisfied, at a lower weight
// than the hand-written cues in emotions.ts.

export const generatedEmotionWords: Readonly<Record<'anger' | 'sadness' | 'positive', Readonly<Record<string, number>>>> = {
${out.join('\n')}
};
`,
);
console.log(
  `wrote ${path.relative(root, file)}: ${groups.map((g) => `${g} ${Math.min(PER_GROUP, entries.filter((e) => e.group === g).length)}`).join(', ')}`,
);
