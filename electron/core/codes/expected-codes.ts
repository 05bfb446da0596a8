import path from 'node:path';
import { CoreError } from '../base/errors.js';
import { inputLimits, readBoundedFile } from '../fs/read-bounded.js';
import { decodeText } from '../text/decode-text.js';
import { parseCsv } from '../text/parse-csv.js';

const codeHeaders = ['影像编码', 'image_code', 'imagecode', 'image code', 'code', '编码'];

/**
 * Reads the list of expected image codes exported from the ERP: a TXT with one code per line, or a
 * CSV whose column is named 影像编码 / image_code (else its first column). UTF-8 or GBK.
 */
export async function readExpectedCodes(file: string): Promise<Set<string>> {
  const name = path.basename(file);
  const bytes = await readBoundedFile(file, inputLimits.codeList, name);
  if (bytes.length === 0) throw new CoreError('file-empty', { name });
  return parseExpectedCodes(decodeText(bytes).text);
}

/** Parses the text of an expected-codes list (see readExpectedCodes). */
export function parseExpectedCodes(text: string): Set<string> {
  const records = parseCsv(text);
  const header = records[0]?.fields.map((field) => field.trim().toLowerCase()) ?? [];
  const column = header.findIndex((field) => codeHeaders.includes(field));
  const rows = column >= 0 ? records.slice(1) : records;
  const index = Math.max(0, column);
  return new Set(rows.map((record) => (record.fields[index] ?? '').trim()).filter((code) => code !== ''));
}
