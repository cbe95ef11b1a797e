/**
 * VADER sentiment (npm `vader-sentiment` 1.1.3), same scores as
 * `vader.SentimentIntensityAnalyzer.polarity_scores(text)`, faster.
 *
 * polarity_scores spends most of its time in one step: to strip punctuation off the words,
 * its SentiText builds a map of every word joined with each of 17 punctuation marks on each
 * side (34 strings per word, per call). `vaderWords` below gives the same word list in one
 * pass; everything else — the lexicon, boosters, negation, "but", idioms, caps, punctuation
 * emphasis and the score itself — is the package's own code (`sentiment_valence`,
 * `but_check`, `score_valence`). triage-text.test.ts checks the result equals polarity_scores
 * on a few thousand texts; scripts/eval-triage.ts checks it on every evaluated text.
 */
import vader, { type PolarityScores } from 'vader-sentiment';

const SIA = vader.SentimentIntensityAnalyzer;

// The package's own constants (vaderSentiment.js, Apache-2.0), which it does not export.
const REGEX_REMOVE_PUNCTUATION = /[!"#$%&'()*+,-./:;<=>?@[\\\]^_`{|}~]/g;
const PUNC_LIST = new Set(['.', '!', '?', ',', ';', ':', '-', "'", '"', '!!', '!!!', '??', '???', '?!?', '!?!', '?!?!', '!?!?']);
const BOOSTERS = new Set([
  'absolutely',
  'amazingly',
  'awfully',
  'completely',
  'considerably',
  'decidedly',
  'deeply',
  'effing',
  'enormously',
  'entirely',
  'especially',
  'exceptionally',
  'extremely',
  'fabulously',
  'flipping',
  'flippin',
  'fricking',
  'frickin',
  'frigging',
  'friggin',
  'fully',
  'fucking',
  'greatly',
  'hella',
  'highly',
  'hugely',
  'incredibly',
  'intensely',
  'majorly',
  'more',
  'most',
  'particularly',
  'purely',
  'quite',
  'really',
  'remarkably',
  'so',
  'substantially',
  'thoroughly',
  'totally',
  'tremendously',
  'uber',
  'unbelievably',
  'unusually',
  'utterly',
  'very',
  'almost',
  'barely',
  'hardly',
  'just enough',
  'kind of',
  'kinda',
  'kindof',
  'kind-of',
  'less',
  'little',
  'marginally',
  'occasionally',
  'partly',
  'scarcely',
  'slightly',
  'somewhat',
  'sort of',
  'sorta',
  'sortof',
  'sort-of',
]);
const WHITESPACE = /\s/;
const UPPER_PYTHON = /^[^a-z]*[A-Z]+[^a-z]*$/;

/**
 * SentiText.words_and_emoticons: whitespace-separated tokens longer than one character; a token
 * that is a word with one of VADER's punctuation marks before or after it ("great!", "(sigh")
 * becomes the bare word when that word is longer than one character.
 */
export function vaderWords(text: string): string[] {
  const out: string[] = [];
  for (const token of text.split(WHITESPACE)) {
    if (token.length <= 1) continue;
    const word = token.replace(REGEX_REMOVE_PUNCTUATION, '');
    if (word !== token && word.length > 1) {
      if (token.endsWith(word) && PUNC_LIST.has(token.slice(0, token.length - word.length))) {
        out.push(word);
        continue;
      }
      if (token.startsWith(word) && PUNC_LIST.has(token.slice(word.length))) {
        out.push(word);
        continue;
      }
    }
    out.push(token);
  }
  return out;
}

/** Same as vader.SentimentIntensityAnalyzer.polarity_scores(text). */
export function polarityScores(text: string): PolarityScores {
  const words = vaderWords(text);
  let caps = 0;
  for (const w of words) if (UPPER_PYTHON.test(w)) caps++;
  const differential = words.length - caps;
  const sentiText = { text, words_and_emoticons: words, is_cap_diff: differential > 0 && differential < words.length };
  let sentiments: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const item = words[i]!;
    const lower = item.toLowerCase();
    if ((i < words.length - 1 && lower === 'kind' && words[i + 1]!.toLowerCase() === 'of') || BOOSTERS.has(lower)) {
      sentiments.push(0);
      continue;
    }
    sentiments = SIA.sentiment_valence(0, sentiText, item, i, sentiments);
  }
  sentiments = SIA.but_check(words, sentiments);
  return SIA.score_valence(sentiments, text);
}
