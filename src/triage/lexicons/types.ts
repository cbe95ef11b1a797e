/** Shared shape of a lexicon cue: phrases (syntax in ../text.ts) plus how a match is qualified. */
export interface CueBase {
  phrases: readonly string[];
  /** A negator just before the phrase ("not damaged", "no problem with") cancels it. */
  negatable?: boolean;
  /**
   * The phrase names something the customer wants to do: "can't"/"unable" before it is the
   * complaint itself ("I can't track my order", "can't reset my password"), not a negation.
   */
  action?: boolean;
  /** The phrase does not count right after one of these words ("never again" is not a repeat). */
  notAfter?: readonly string[];
  /** …or right before one of these words ("last time I…"). */
  notBefore?: readonly string[];
  /** Language of the phrases, when not English. */
  lang?: string;
}
