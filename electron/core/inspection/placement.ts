/** Where a symbol sits on the page. */
export type Corner = 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'center' | 'edge';

/** The corner zones as shares of the page: the outer 40 % of the width, the top and bottom 30 %. */
export const cornerZone = { widthShare: 0.4, heightShare: 0.3 } as const;

/** The central zone: within 20 % of the page centre in both directions. */
export const centreZone = { share: 0.2 } as const;

/** Classifies a box (mm from the page's top-left) by where its centre falls. */
export function classifyPlacement(box: { x: number; y: number; w: number; h: number }, page: { widthMm: number; heightMm: number }): Corner {
  const cx = (box.x + box.w / 2) / page.widthMm;
  const cy = (box.y + box.h / 2) / page.heightMm;
  const left = cx < cornerZone.widthShare;
  const right = cx > 1 - cornerZone.widthShare;
  const top = cy < cornerZone.heightShare;
  const bottom = cy > 1 - cornerZone.heightShare;
  if (top && right) return 'top-right';
  if (top && left) return 'top-left';
  if (bottom && right) return 'bottom-right';
  if (bottom && left) return 'bottom-left';
  if (Math.abs(cx - 0.5) < centreZone.share && Math.abs(cy - 0.5) < centreZone.share) return 'center';
  return 'edge';
}
