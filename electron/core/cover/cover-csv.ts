import path from 'node:path';
import { CoreError } from '../base/errors.js';
import { readBoundedFile } from '../fs/read-bounded.js';
import { decodeText, type TextEncodingName } from '../text/decode-text.js';
import { parseCsv } from '../text/parse-csv.js';
import type { CoverFields, CoverRowProblem } from './cover-fields.js';

/** Column names accepted for each field (compared lower-case, spaces and underscores ignored). */
export const coverColumnNames: Record<keyof CoverFields, string[]> = {
  code: ['影像编码', 'imagecode', 'code'],
  billNo: ['单据编号', 'billno', 'billnumber', '单号'],
  billType: ['单据类型', 'billtype', 'type'],
  company: ['公司', 'company', '公司名称'],
  submitter: ['提交人', 'submitter', '申请人'],
  department: ['部门', 'department', 'dept'],
  date: ['日期', 'date', '单据日期'],
  amount: ['金额', 'amount', '报销金额'],
};

/** CSVs larger than this are refused: 10,000 bills are about 2 MB. */
export const maxCoverCsvBytes = 16 * 1024 * 1024;

/** One data row of a bills CSV. */
export interface CoverCsvRow {
  line: number;
  fields: CoverFields;
}

/** A parsed bills CSV: rows, rows refused while reading, and what was not understood. */
export interface CoverCsv {
  encoding: TextEncodingName;
  rows: CoverCsvRow[];
  rejected: Array<{ line: number; code: string; problem: CoverRowProblem | { reason: 'broken-encoding' } }>;
  ignoredColumns: string[];
}

const normalise = (name: string) => name.trim().toLowerCase().replace(/[\s_]/g, '');

/** Reads a bills CSV exported by Excel/the ERP (UTF-8, UTF-8 with BOM or GBK). */
export async function readCoverCsv(file: string): Promise<CoverCsv> {
  const name = path.basename(file);
  const bytes = await readBoundedFile(file, maxCoverCsvBytes, name);
  if (bytes.length === 0) throw new CoreError('file-empty', { name });
  return parseCoverCsv(bytes, name);
}

/** Parses the bytes of a bills CSV (see readCoverCsv). */
export function parseCoverCsv(bytes: Uint8Array, name: string): CoverCsv {
  const { text, encoding } = decodeText(bytes);
  const records = parseCsv(text);
  const header = records[0]?.fields ?? [];
  const columns = new Map<number, keyof CoverFields>();
  const ignoredColumns: string[] = [];
  header.forEach((column, index) => {
    const field = (Object.keys(coverColumnNames) as Array<keyof CoverFields>).find((key) => coverColumnNames[key].includes(normalise(column)));
    if (field && ![...columns.values()].includes(field)) columns.set(index, field);
    else if (column.trim() !== '') ignoredColumns.push(column.trim());
  });
  // Mojibake in the header means the file is neither UTF-8 nor GBK (or not text at all): say that,
  // rather than list garbage as "column names".
  // eslint-disable-next-line no-control-regex -- control characters in a header are the sign of a binary file
  if (header.some((column) => column.includes('\ufffd')) || /[\u0000-\u0008\u000e-\u001f]/.test(header.join(''))) throw new CoreError('cover-csv-encoding', { name });
  if (![...columns.values()].includes('code')) throw new CoreError('cover-csv-no-code-column', { name, columns: header.join(', ').slice(0, 200) });
  const rows: CoverCsvRow[] = [];
  const rejected: CoverCsv['rejected'] = [];
  for (const record of records.slice(1)) {
    const fields: Partial<CoverFields> = {};
    for (const [index, field] of columns) fields[field] = record.fields[index] ?? '';
    // U+FFFD means the bytes were neither UTF-8 nor GBK here: refuse the row rather than print garbage.
    if (Object.values(fields).some((value) => value?.includes('\ufffd'))) {
      rejected.push({ line: record.line, code: (fields.code ?? '').replace(/\ufffd/g, '?'), problem: { reason: 'broken-encoding' } });
      continue;
    }
    rows.push({ line: record.line, fields: { ...fields, code: fields.code ?? '' } });
  }
  return { encoding, rows, rejected, ignoredColumns };
}
