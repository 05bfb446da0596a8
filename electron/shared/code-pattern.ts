/** Why an image-code rule (a regular expression typed by an implementer) was refused. */
export type PatternProblem = { reason: 'empty' | 'unclosed-bracket' | 'unbalanced-parenthesis' | 'nothing-to-repeat' | 'bad-escape' | 'bad-quantifier' | 'syntax' | 'catastrophic' | 'too-long'; detail: string };

/** Longest rule accepted (real image-code rules are a few dozen characters). */
export const maxPatternLength = 300;

/** Whether text at `index` starts a repetition that can run long: `*`, `+`, `{n,}` or `{n,m}` with m > 1. */
function repeatsAt(source: string, index: number): boolean {
  const char = source[index];
  if (char === '*' || char === '+') return true;
  if (char !== '{') return false;
  const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(index));
  if (!match || match[2] === undefined) return false;
  return match[3] === '' || Number(match[3]) > 1;
}

/**
 * Finds the shapes that make a backtracking engine take exponential time on a short input:
 * a repeated group whose body can itself repeat or choose between alternatives — `(a+)+`,
 * `(a*)*`, `(a|aa)+`, `(\w+\d*){2,}`. Such a rule would hold a worker for its whole time limit on a
 * 64-character payload, so it is refused with the reason instead of run.
 */
export function hasNestedRepetition(source: string): boolean {
  const stack: Array<{ repeats: boolean; alternates: boolean }> = [{ repeats: false, alternates: false }];
  const top = () => stack[stack.length - 1] as { repeats: boolean; alternates: boolean };
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index];
    if (char === '\\') {
      index += 1;
      continue;
    }
    if (char === '[') {
      // A character class is one atom, whatever is inside.
      index += 1;
      if (source[index] === '^') index += 1;
      if (source[index] === ']') index += 1;
      while (index < source.length && source[index] !== ']') index += source[index] === '\\' ? 2 : 1;
      continue;
    }
    if (char === '(') {
      stack.push({ repeats: false, alternates: false });
      continue;
    }
    if (char === ')') {
      const group = stack.length > 1 ? (stack.pop() as { repeats: boolean; alternates: boolean }) : top();
      const repeated = repeatsAt(source, index + 1);
      if (repeated && (group.repeats || group.alternates)) return true;
      if (repeated || group.repeats) top().repeats = true;
      continue;
    }
    if (char === '|') top().alternates = true;
    else if (repeatsAt(source, index)) top().repeats = true;
  }
  return false;
}

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
  if (source.length > maxPatternLength) return { reason: 'too-long', detail: `${source.length} characters` };
  if (hasNestedRepetition(source)) return { reason: 'catastrophic', detail: source.slice(0, 80) };
  try {
    const anchored = `^(?:${source.replace(/^\^/, '').replace(/\$$/, '')})$`;
    return new RegExp(anchored, 'u');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { reason: reasonByMessage.find(([pattern]) => pattern.test(detail))?.[1] ?? 'syntax', detail };
  }
}
