import vader from 'vader-sentiment';
import { describe, expect, it } from 'vitest';
import { complaintKinds, complaintText } from '../demo/complaint-texts.ts';
import { seededRng } from '../demo/rng.ts';
import { polarityScores, vaderWords } from './sentiment.ts';

const reference = (t: string) => vader.SentimentIntensityAnalyzer.polarity_scores(t);

describe('polarityScores', () => {
  it('splits words the way VADER does', () => {
    expect(vaderWords('Great!  (sigh) "ok" :) x --no-- wow!!!? hello, world.')).toEqual([
      'Great',
      '(sigh)',
      '"ok"',
      ':)',
      '--no--',
      'wow!!!?',
      'hello',
      'world',
    ]);
  });

  it.each([
    '',
    'I love it',
    'I do NOT love it!!!',
    'The service was not bad at all, but the delivery was awful.',
    'kind of good, sort of bad',
    'Least helpful agent ever :(',
    'This is the shit!! 😡 ??? yeah right',
    '"great" great. \'great\' -great great- !great great!',
    '__proto__ constructor hasOwnProperty toString',
  ])('equals vader-sentiment on %j', (text) => {
    expect(polarityScores(text)).toEqual(reference(text));
  });

  it('equals vader-sentiment on generated complaints and random word salad', () => {
    const rng = seededRng(99);
    const texts: string[] = [];
    for (let i = 0; i < 700; i++) {
      const c = complaintText(complaintKinds[i % complaintKinds.length]!, rng, { orderId: `ord-${i}`, itemName: 'Mug', amount: '$4.20' });
      texts.push(`${c.subject}\n${c.body}`);
    }
    const words = ['good', 'BAD', 'not', "isn't", 'never', 'so', 'very', 'kind', 'of', 'but', 'least', 'at', 'love', 'hate', 'the', 'shit'];
    const marks = ['', '!', '?', '.', ',', '"', "'", '-', '!!!', '?!?', ':)', '(', ')'];
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let k = 0, n = 1 + Math.floor(rng() * 10); k < n; k++) {
        const pre = rng() < 0.2 ? marks[Math.floor(rng() * marks.length)] : '';
        const post = rng() < 0.3 ? marks[Math.floor(rng() * marks.length)] : '';
        s += `${pre}${words[Math.floor(rng() * words.length)]}${post}${rng() < 0.1 ? '  ' : ' '}`;
      }
      texts.push(s);
    }
    const differing = texts.filter((t) => JSON.stringify(polarityScores(t)) !== JSON.stringify(reference(t)));
    expect(differing).toEqual([]);
  });
});
