import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import subsetFont from 'subset-font';
import { coverTextFields, type CoverFields } from './cover-fields.js';
import type { CoverFonts } from './cover-fonts.js';
import { computeCoverGeometry, type CoverLayoutOptions } from './cover-layout.js';

/** Printed labels, bilingual on paper: "单据编号 Bill no.". */
export type CoverLabels = Record<'defaultTitle' | 'code' | 'billNo' | 'billType' | 'company' | 'submitter' | 'department' | 'date' | 'amount' | 'pages' | 'hint', string>;


const ptPerMm = 72 / 25.4;
const ink = rgb(0, 0, 0);
const grey = rgb(0.35, 0.35, 0.35);

/**
 * Builds one PDF holding a cover per entry. Each font is cut down (HarfBuzz hb-subset) to exactly
 * the characters these covers use and embedded once for the whole document: a 1,000-cover batch
 * carries one small font, and every glyph renders (pdf-lib's own subsetter drops CJK glyphs).
 */
export async function buildCoverPdf(covers: CoverFields[], fonts: CoverFonts, layout: CoverLayoutOptions, labels: CoverLabels): Promise<Uint8Array> {
  const characters = new Set<string>('0123456789…¥,.-');
  const addText = (text: string | undefined) => {
    for (const char of text ?? '') characters.add(char);
  };
  Object.values(labels).forEach(addText);
  for (const cover of covers) Object.values(cover).forEach((value: string | undefined) => addText(value));
  const text = [...characters].join('');
  const [regularBytes, boldBytes] = await Promise.all([
    subsetFont(Buffer.from(fonts.regular), text, { targetFormat: 'truetype' }),
    subsetFont(Buffer.from(fonts.bold), text, { targetFormat: 'truetype' }),
  ]);
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  pdf.setProducer('Scan Station');
  pdf.setCreator('Scan Station cover builder');
  // No localized forms, contextual alternates or ligatures: pdf-lib advances substituted glyphs by
  // other widths (Noto's Latin 'locl' digits spaced "FY-2026" apart; 'liga' broke "first").
  const features = { liga: false, clig: false, calt: false, dlig: false, kern: false, locl: false };
  const regular = await pdf.embedFont(regularBytes, { subset: false, features });
  const bold = await pdf.embedFont(boldBytes, { subset: false, features });
  for (const cover of covers) drawCover(pdf.addPage(), cover, layout, labels, regular, bold);
  return pdf.save({ useObjectStreams: true });
}

/** Shrinks text to fit `maxWidth` (down to 60 %), then cuts it with an ellipsis. */
function fitText(font: PDFFont, text: string, size: number, maxWidthPt: number): { text: string; size: number } {
  let fitted = size;
  while (fitted > size * 0.6 && font.widthOfTextAtSize(text, fitted) > maxWidthPt) fitted -= 0.5;
  if (font.widthOfTextAtSize(text, fitted) <= maxWidthPt) return { text, size: fitted };
  let cut = text;
  while (cut.length > 1 && font.widthOfTextAtSize(`${cut}…`, fitted) > maxWidthPt) cut = cut.slice(0, -1);
  return { text: `${cut}…`, size: fitted };
}

function drawCover(page: PDFPage, fields: CoverFields, layout: CoverLayoutOptions, labels: CoverLabels, regular: PDFFont, bold: PDFFont): void {
  const qr = QRCode.create(fields.code, { errorCorrectionLevel: layout.ecLevel });
  const modules = qr.modules.size;
  const geometry = computeCoverGeometry(layout, modules);
  page.setSize(geometry.page.widthMm * ptPerMm, geometry.page.heightMm * ptPerMm);
  const pageHeightMm = geometry.page.heightMm;
  // pdf-lib's origin is the bottom-left; layout is in mm from the top-left.
  const x = (mm: number) => mm * ptPerMm;
  const yTop = (mm: number, heightMm = 0) => (pageHeightMm - mm - heightMm) * ptPerMm;

  // The symbol: one filled rectangle per horizontal run of dark modules.
  const moduleMm = geometry.symbol.size / modules;
  for (let row = 0; row < modules; row += 1) {
    let col = 0;
    while (col < modules) {
      if (!qr.modules.get(row, col)) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < modules && qr.modules.get(row, col)) col += 1;
      page.drawRectangle({
        x: x(geometry.symbol.x + start * moduleMm),
        y: yTop(geometry.symbol.y + row * moduleMm, moduleMm),
        // A hair of overlap closes the seams between rows that some renderers show.
        width: (col - start) * moduleMm * ptPerMm,
        height: moduleMm * ptPerMm + 0.02,
        color: ink,
      });
    }
  }
  const codeText = fitText(regular, fields.code, 10, x(geometry.codeLabel.w));
  const codeWidth = regular.widthOfTextAtSize(codeText.text, codeText.size);
  page.drawText(codeText.text, { x: x(geometry.codeLabel.x + geometry.codeLabel.w / 2) - codeWidth / 2, y: yTop(geometry.codeLabel.y, 3.5), size: codeText.size, font: regular, color: ink });

  const column = geometry.text;
  const title = fitText(bold, fields.billType ?? labels.defaultTitle, 22, x(column.w));
  page.drawText(title.text, { x: x(column.x), y: yTop(column.y + 4, 8), size: title.size, font: bold, color: ink });
  const rows: Array<[string, string]> = [[labels.code, fields.code]];
  for (const name of coverTextFields) {
    if (name === 'billType') continue;
    const value = fields[name];
    if (value) rows.push([labels[name], value]);
  }
  let rowY = column.y + 22;
  for (const [label, value] of rows) {
    page.drawText(label, { x: x(column.x), y: yTop(rowY, 3), size: 8.5, font: regular, color: grey });
    const fitted = fitText(regular, value, 14, x(column.w));
    page.drawText(fitted.text, { x: x(column.x), y: yTop(rowY + 4.5, 5), size: fitted.size, font: regular, color: ink });
    page.drawLine({ start: { x: x(column.x), y: yTop(rowY + 10.5) }, end: { x: x(column.x + column.w), y: yTop(rowY + 10.5) }, thickness: 0.4, color: rgb(0.75, 0.75, 0.75) });
    rowY += 13;
  }
  // The page-count box the clerk fills in by hand.
  const boxY = Math.max(rowY + 6, 130);
  page.drawText(labels.pages, { x: x(18), y: yTop(boxY, 3), size: 9, font: regular, color: grey });
  page.drawRectangle({ x: x(18), y: yTop(boxY + 5, 16), width: x(40), height: x(16), borderColor: ink, borderWidth: 1 });
  const hint = fitText(regular, labels.hint, 9, x(geometry.page.widthMm - 36));
  page.drawText(hint.text, { x: x(18), y: yTop(geometry.page.heightMm - 20, 4), size: hint.size, font: regular, color: grey });
}
