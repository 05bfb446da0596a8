import { sharp } from '../base/sharp.js';
import type { PageRaster } from '../document/opened-document.js';
import { describePayload } from '../codes/image-code-rules.js';
import type { PageReport, Verdict } from './inspect-page.js';
import { centreZone, cornerZone } from './placement.js';

const verdictColour: Record<Verdict, string> = { ok: '#1e7b34', warn: '#c77700', fail: '#b3261e' };

/** Escapes text for SVG; QR payloads are hostile input. */
function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Draws the page with the corner zones (green: top corners, amber: bottom corners, red: centre),
 * each QR's outline in its verdict colour with its value, and the page verdict in a banner.
 * Scaled so the long side is at most `maxSide` pixels.
 */
export async function annotatePage(raster: PageRaster, report: PageReport, maxSide = 1400): Promise<Buffer> {
  const { width, height } = raster.image;
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const zw = w * cornerZone.widthShare;
  const zh = h * cornerZone.heightShare;
  const cw = w * centreZone.share * 2;
  const ch = h * centreZone.share * 2;
  const stroke = Math.max(2, Math.round(w / 300));
  const font = Math.max(12, Math.round(w / 55));
  const zone = (x: number, y: number, colour: string) =>
    `<rect x="${x}" y="${y}" width="${zw}" height="${zh}" fill="${colour}" fill-opacity="0.10" stroke="${colour}" stroke-opacity="0.6" stroke-dasharray="${stroke * 4} ${stroke * 3}" stroke-width="${stroke}"/>`;
  const symbolVerdict = (index: number): Verdict => {
    const own = report.problems.filter((problem) => problem.symbol === index);
    return own.some((problem) => problem.severity === 'fail') ? 'fail' : own.length > 0 ? 'warn' : 'ok';
  };
  const boxes = report.codes
    .map((code, index) => {
      const colour = verdictColour[symbolVerdict(index)];
      const x = code.boxPx.x * scale;
      const y = code.boxPx.y * scale;
      const bw = code.boxPx.w * scale;
      const bh = code.boxPx.h * scale;
      const labelY = y + bh + font * 1.3 < h ? y + bh + font * 1.3 : y - font * 0.5;
      const anchor = x + bw / 2 > w / 2 ? 'end' : 'start';
      const labelX = anchor === 'end' ? x + bw : x;
      return `<rect x="${x - stroke}" y="${y - stroke}" width="${bw + 2 * stroke}" height="${bh + 2 * stroke}" fill="none" stroke="${colour}" stroke-width="${stroke * 2}"/>
<text x="${labelX}" y="${labelY}" text-anchor="${anchor}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" font-weight="bold" fill="${colour}" stroke="#fff" stroke-width="${font / 6}" paint-order="stroke">${escapeXml(describePayload(code.value).slice(0, 40))}</text>`;
    })
    .join('\n');
  // The verdict as a drawn mark, not a word: the picture reads the same in Chinese and English.
  const cx = w / 2;
  const cy = h - font * 1.3;
  const r = font * 0.55;
  const mark =
    report.verdict === 'ok'
      ? `M${cx - r} ${cy} L${cx - r * 0.25} ${cy + r * 0.7} L${cx + r} ${cy - r * 0.7}`
      : report.verdict === 'warn'
        ? `M${cx} ${cy - r} L${cx} ${cy + r * 0.3} M${cx} ${cy + r * 0.75} L${cx} ${cy + r * 0.8}`
        : `M${cx - r * 0.8} ${cy - r * 0.8} L${cx + r * 0.8} ${cy + r * 0.8} M${cx + r * 0.8} ${cy - r * 0.8} L${cx - r * 0.8} ${cy + r * 0.8}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
${zone(0, 0, '#1e7b34')}${zone(w - zw, 0, '#1e7b34')}${zone(0, h - zh, '#c77700')}${zone(w - zw, h - zh, '#c77700')}
<rect x="${(w - cw) / 2}" y="${(h - ch) / 2}" width="${cw}" height="${ch}" fill="#b3261e" fill-opacity="0.06" stroke="#b3261e" stroke-opacity="0.5" stroke-dasharray="${stroke * 4} ${stroke * 3}" stroke-width="${stroke}"/>
${boxes}
<rect x="${cx - font * 2}" y="${h - font * 2.2}" width="${font * 4}" height="${font * 1.8}" rx="${font / 3}" fill="${verdictColour[report.verdict]}"/>
<path d="${mark}" fill="none" stroke="#fff" stroke-width="${Math.max(3, font / 4)}" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;
  return sharp(raster.image.data, { raw: { width, height, channels: 1 } })
    .resize(w, h, { kernel: 'lanczos3' })
    .toColourspace('srgb')
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png({ compressionLevel: 6 })
    .toBuffer();
}
