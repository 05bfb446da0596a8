import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont } from 'pdf-lib';
import QRCode from 'qrcode';
import subsetFont from 'subset-font';
import { coverTextFields, type CoverFields } from './cover-fields.js';
import type { CoverFonts } from './cover-fonts.js';
import { computeCoverGeometry, type CoverLayoutOptions } from './cover-layout.js';

/** Printed labels, bilingual on paper: "单据编号 Bill no.". */
export type CoverLabels = Record<'defaultTitle' | 'code' | 'billNo' | 'billType' | 'company' | 'submitter' | 'department' | 'date' | 'amount' | 'pages' | 'hint', string>;


const ptPerMm = 72 / 25.4;

/**
 * Builds one PDF holding a cover per entry. Each font is cut down (HarfBuzz hb-subset) to exactly
 * the characters these covers use and embedded once for the whole document: a 1,000-cover batch
 * carries one small font, and every glyph renders (pdf-lib's own subsetter drops CJK glyphs).
 * `stop` ends a long batch between covers (it throws the signal's reason).
 */
export async function buildCoverPdf(covers: CoverFields[], fonts: CoverFonts, layout: CoverLayoutOptions, labels: CoverLabels, onCut?: (index: number, fields: string[]) => void, stop?: AbortSignal): Promise<Uint8Array> {
  const characters = new Set<string>('0123456789…¥,.-');
  const addText = (text: string | undefined) => {
    for (const char of text ?? '') characters.add(char);
  };
  Object.values(labels).forEach(addText);
  for (const cover of covers) Object.values(cover).forEach((value: string | undefined) => addText(value));
  const text = [...characters].join('');
  // One after the other, with a turn between: each cut holds the event loop for most of a second.
  const regularBytes = await subsetFont(Buffer.from(fonts.regular), text, { targetFormat: 'truetype' });
  await yieldTurn(stop);
  const boldBytes = await subsetFont(Buffer.from(fonts.bold), text, { targetFormat: 'truetype' });
  await yieldTurn(stop);
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  pdf.setProducer('Scan Station');
  pdf.setCreator('Scan Station cover builder');
  // No localized forms, contextual alternates or ligatures: pdf-lib advances substituted glyphs by
  // other widths (Noto's Latin 'locl' digits spaced "FY-2026" apart; 'liga' broke "first").
  const features = { liga: false, clig: false, calt: false, dlig: false, kern: false, locl: false };
  const regular = await pdf.embedFont(regularBytes, { subset: false, features });
  const bold = await pdf.embedFont(boldBytes, { subset: false, features });
  for (const [index, cover] of covers.entries()) {
    // Drawing is synchronous: thousands of covers would hold the event loop for many seconds, deaf
    // to Ctrl+C. Every few covers the loop gets a turn, and a stop is heard.
    if (index % coversPerTurn === 0) await yieldTurn(stop);
    // Text too long even at 60 % size is cut with "…" on paper; the caller can say so first.
    const cut = drawCover(pdf, cover, layout, labels, regular, bold);
    if (cut.length > 0) onCut?.(index, cut);
  }
  await yieldTurn(stop);
  // pdf-lib's save hands the event loop a turn every 50 objects by itself.
  const bytes = await pdf.save({ useObjectStreams: true });
  stop?.throwIfAborted();
  return bytes;
}

/** Covers drawn between two turns of the event loop (one cover takes about 3 ms). */
const coversPerTurn = 10;

/** Lets pending events (a signal, a timer) run, then stops if asked to. */
async function yieldTurn(stop: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  stop?.throwIfAborted();
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

/** Collects one page's drawing operators as text (PDF content-stream syntax, points). */
class ContentBuilder {
  private readonly ops: string[] = [];
  private readonly n = (value: number) => (Math.round(value * 1000) / 1000).toString();

  /** A filled rectangle (colour already set). */
  rect(x: number, y: number, width: number, height: number): void {
    this.ops.push(`${this.n(x)} ${this.n(y)} ${this.n(width)} ${this.n(height)} re`);
  }
  fill(gray: number): void {
    this.ops.push(`${this.n(gray)} g f`);
  }
  strokeRect(x: number, y: number, width: number, height: number, lineWidth: number): void {
    this.ops.push(`0 G ${this.n(lineWidth)} w ${this.n(x)} ${this.n(y)} ${this.n(width)} ${this.n(height)} re S`);
  }
  line(x1: number, y1: number, x2: number, y2: number, lineWidth: number, gray: number): void {
    this.ops.push(`${this.n(gray)} G ${this.n(lineWidth)} w ${this.n(x1)} ${this.n(y1)} m ${this.n(x2)} ${this.n(y2)} l S`);
  }
  text(fontKey: string, font: PDFFont, text: string, size: number, x: number, y: number, gray: number): void {
    this.ops.push(`BT ${this.n(gray)} g /${fontKey} ${this.n(size)} Tf ${this.n(x)} ${this.n(y)} Td ${font.encodeText(text).toString()} Tj ET`);
  }
  toString(): string {
    return this.ops.join('\n');
  }
}

/**
 * Draws one cover into a compact, compressed content stream. pdf-lib's drawing calls keep every
 * operator as an object for the life of the document, which exhausted 4 GB at 10,000 covers; a
 * finished page here costs its compressed bytes only (about 2 KB).
 */
function drawCover(pdf: PDFDocument, fields: CoverFields, layout: CoverLayoutOptions, labels: CoverLabels, regular: PDFFont, bold: PDFFont): string[] {
  const cut: string[] = [];
  const qr = QRCode.create(fields.code, { errorCorrectionLevel: layout.ecLevel });
  const modules = qr.modules.size;
  const geometry = computeCoverGeometry(layout, modules);
  const page = pdf.addPage([geometry.page.widthMm * ptPerMm, geometry.page.heightMm * ptPerMm]);
  const regularKey = page.node.newFontDictionary('NotoSansSC', regular.ref).asString().slice(1);
  const boldKey = page.node.newFontDictionary('NotoSansSCBold', bold.ref).asString().slice(1);
  const pageHeightMm = geometry.page.heightMm;
  // PDF's origin is the bottom-left; layout is in mm from the top-left.
  const x = (mm: number) => mm * ptPerMm;
  const yTop = (mm: number, heightMm = 0) => (pageHeightMm - mm - heightMm) * ptPerMm;
  const content = new ContentBuilder();

  // The symbol: one rectangle per horizontal run of dark modules, filled black in one go.
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
      // A hair of overlap closes the seams between rows that some renderers show.
      content.rect(x(geometry.symbol.x + start * moduleMm), yTop(geometry.symbol.y + row * moduleMm, moduleMm), (col - start) * moduleMm * ptPerMm, moduleMm * ptPerMm + 0.02);
    }
  }
  content.fill(0);
  const codeText = fitText(regular, fields.code, 10, x(geometry.codeLabel.w));
  const codeWidth = regular.widthOfTextAtSize(codeText.text, codeText.size);
  content.text(regularKey, regular, codeText.text, codeText.size, x(geometry.codeLabel.x + geometry.codeLabel.w / 2) - codeWidth / 2, yTop(geometry.codeLabel.y, 3.5), 0);

  const column = geometry.text;
  const title = fitText(bold, fields.billType ?? labels.defaultTitle, 22, x(column.w));
  if (fields.billType && title.text !== fields.billType) cut.push('billType');
  content.text(boldKey, bold, title.text, title.size, x(column.x), yTop(column.y + 4, 8), 0);
  const rows: Array<[string, string, string]> = [['code', labels.code, fields.code]];
  for (const name of coverTextFields) {
    if (name === 'billType') continue;
    const value = fields[name];
    if (value) rows.push([name, labels[name], value]);
  }
  let rowY = column.y + 22;
  for (const [name, label, value] of rows) {
    content.text(regularKey, regular, label, 8.5, x(column.x), yTop(rowY, 3), 0.35);
    const fitted = fitText(regular, value, 14, x(column.w));
    if (fitted.text !== value) cut.push(name);
    content.text(regularKey, regular, fitted.text, fitted.size, x(column.x), yTop(rowY + 4.5, 5), 0);
    content.line(x(column.x), yTop(rowY + 10.5), x(column.x + column.w), yTop(rowY + 10.5), 0.4, 0.75);
    rowY += 13;
  }
  // The page-count box the clerk fills in by hand.
  const boxY = Math.max(rowY + 6, 130);
  content.text(regularKey, regular, labels.pages, 9, x(18), yTop(boxY, 3), 0.35);
  content.strokeRect(x(18), yTop(boxY + 5, 16), x(40), x(16), 1);
  const hint = fitText(regular, labels.hint, 9, x(geometry.page.widthMm - 36));
  content.text(regularKey, regular, hint.text, hint.size, x(18), yTop(geometry.page.heightMm - 20, 4), 0.35);
  page.node.addContentStream(pdf.context.register(pdf.context.flateStream(content.toString())));
  return cut;
}
