/**
 * One CSV cell: quoted, and with a leading apostrophe where a spreadsheet would otherwise run the
 * text as a formula (a QR code can hold `=HYPERLINK(…)`).
 */
export function csvCell(value: string | number): string {
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** A whole CSV file for Excel on a Chinese PC: UTF-8 with a BOM, CRLF line ends. */
export function buildCsv(rows: Array<Array<string | number>>): string {
  return `\ufeff${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
