/** GET /api/v1/cases/:id/reply-suggestions */
export interface ReplySuggestion {
  id: string;
  kind: 'acknowledgement' | 'resolution' | 'saved';
  label: string;
  locale: 'en' | 'es';
  text: string;
}

export interface ReplySuggestions {
  locale: 'en' | 'es';
  suggestions: ReplySuggestion[];
}
