/** Corners as shares of the page (0–1). */
export type PagePoints = Array<{ x: number; y: number }>;

/**
 * The detected QR drawn over a page picture: a polygon in page shares, stretched over the image
 * it sits on (the parent is `position: relative`), so the same box fits a thumbnail or the page large.
 */
export function QrBox({ qr, testId }: { qr: PagePoints | null; testId?: string }) {
  if (!qr || qr.length < 4) return null;
  return (
    <svg className="qr-box" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true" data-testid={testId}>
      <polygon points={qr.map((point) => `${point.x},${point.y}`).join(' ')} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
