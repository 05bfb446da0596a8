import type { Page } from 'playwright-core';

/** The counts a `StationCountsLine` shows (its spans' data attributes), by key. */
export async function readCounts(page: Page, testId: string): Promise<Record<string, number>> {
  return page.getByTestId(testId).evaluate((element) => Object.fromEntries([...element.querySelectorAll('[data-count]')].map((span) => [span.getAttribute('data-count') ?? '', Number(span.getAttribute('data-value'))])));
}

/** Waits until a counts line shows at least these counts (keys not shown count as 0). */
export async function waitForCounts(page: Page, testId: string, expected: Record<string, number>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, number> = {};
  while (Date.now() < deadline) {
    last = await readCounts(page, testId).catch(() => ({}));
    if (Object.entries(expected).every(([key, value]) => (last[key] ?? 0) === value)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${testId} shows ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`);
}
