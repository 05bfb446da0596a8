// Names in the order people read them: scanner software numbers pages so (scan_2 before scan_10).

/** Natural order of names: `scan_2` before `scan_10` (numbers compared as numbers), then plain text order. */
export function compareNatural(a: string, b: string): number {
  const split = (text: string) => text.toLowerCase().split(/(\d+)/);
  const left = split(a);
  const right = split(b);
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    if (i % 2 === 1) {
      const difference = Number(x) - Number(y);
      if (difference !== 0) return difference;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length || (a < b ? -1 : a > b ? 1 : 0);
}
