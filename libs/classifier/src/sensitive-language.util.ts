export type SensitiveCategory = 'legal' | 'complaint';

export interface SensitiveMatch {
  category: SensitiveCategory;
  /** The words that matched, as written. */
  text: string;
}

// Phrases that signal legal exposure or an escalated complaint in customer text. Whole-word,
// case-insensitive; kept short and specific so ordinary requests ("refund", "late") don't trip it.
/** `\b(a|b|…)\b`, global, case-insensitive and Unicode-aware, from alternatives written in parts. */
const wholeWords = (...alternatives: string[]): RegExp => new RegExp(`\\b(${alternatives.join('|')})\\b`, 'giu');

const PATTERNS: ReadonlyArray<{ category: SensitiveCategory; pattern: RegExp }> = [
  {
    category: 'legal',
    pattern: wholeWords(
      'lawyers?|attorneys?|solicitors?|legal action|lawsuit|sue(?!-)|suing|court|litigation|small claims',
      'cease and desist|gdpr|data protection authority|ombudsman|regulator',
    ),
  },
  { category: 'legal', pattern: /\b(chargeback|dispute with my bank|consumer protection)\b/giu },
  {
    category: 'complaint',
    pattern: wholeWords(
      'formal complaint|complain(?:t|ing)? to|unacceptable|disgusted|outraged|furious|worst service',
      'never again|escalate this|speak to (?:a|your) manager',
    ),
  },
];

/**
 * Finds complaint and legal language in a customer's text: the rule-based half of deciding
 * whether an outbound message must wait as a draft for a person (the other half is the
 * workflow's own `draft` rules, e.g. high-value accounts).
 */
export function detectSensitiveLanguage(text: string): SensitiveMatch[] {
  const matches: SensitiveMatch[] = [];
  for (const { category, pattern } of PATTERNS) {
    for (const match of text.matchAll(pattern)) matches.push({ category, text: match[0] });
  }
  return matches;
}
