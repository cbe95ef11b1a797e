/** Types for the parts of vader-sentiment 1.1.3 that triage uses (the package ships none). */
declare module 'vader-sentiment' {
  export interface PolarityScores {
    neg: number;
    neu: number;
    pos: number;
    compound: number;
  }
  /** What SentiText holds; sentiment_valence reads these three fields. */
  export interface SentiTextLike {
    text: string;
    words_and_emoticons: string[];
    is_cap_diff: boolean;
  }
  const vader: {
    SentimentIntensityAnalyzer: {
      polarity_scores(text: string): PolarityScores;
      sentiment_valence(valence: number, sentiText: SentiTextLike, item: string, index: number, sentiments: number[]): number[];
      but_check(wordsAndEmoticons: string[], sentiments: number[]): number[];
      score_valence(sentiments: number[], text: string): PolarityScores;
    };
  };
  export default vader;
}
