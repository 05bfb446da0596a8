/** Why an image-code rule (a regular expression typed by an implementer) was refused. */
export type PatternProblem = { reason: 'empty' | 'unclosed-bracket' | 'unbalanced-parenthesis' | 'nothing-to-repeat' | 'bad-escape' | 'bad-quantifier' | 'syntax'; detail: string };

// V8's messages, English-only and technical, turned into a reason an implementer can act on.
const reasonByMessage: Array<[RegExp, PatternProblem['reason']]> = [
  [/Unterminated character class/i, 'unclosed-bracket'],
  [/Unterminated group|Unmatched '\)'|Unmatched '\('/i, 'unbalanced-parenthesis'],
  [/Nothing to repeat/i, 'nothing-to-repeat'],
  [/Invalid escape|\\ at end of pattern|Invalid Unicode escape|Invalid property name/i, 'bad-escape'],
  [/Incomplete quantifier|Lone quantifier|numbers out of order|Invalid quantifier/i, 'bad-quantifier'],
];

/**
 * Compiles an image-code rule anchored to the whole value (`^(?:…)$`, Unicode mode), or says why
 * it cannot be used, as a reason code with V8's own text kept for the log.
 */
export function compileCodePattern(source: string): RegExp | PatternProblem {
  if (source.trim() === '') return { reason: 'empty', detail: '' };
  try {
    const anchored = `^(?:${source.replace(/^\^/, '').replace(/\$$/, '')})$`;
    return new RegExp(anchored, 'u');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { reason: reasonByMessage.find(([pattern]) => pattern.test(detail))?.[1] ?? 'syntax', detail };
  }
}
