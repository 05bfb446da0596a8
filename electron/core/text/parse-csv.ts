/** One parsed CSV record with the 1-based line it started on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses CSV (RFC 4180: quoted fields, doubled quotes, CRLF/LF, newlines inside quotes). Tab- and
 * semicolon-separated files are detected from the first line, as Excel writes them in some locales.
 */
export function parseCsv(text: string): CsvRecord[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', '\t', ';'].reduce((best, candidate) => (firstLine.split(candidate).length > firstLine.split(best).length ? candidate : best), ',');
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
      continue;
    }
    if (char === '"' && field === '') quoted = true;
    else if (char === delimiter) {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      fields.push(field);
      if (fields.some((value) => value.trim() !== '')) records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      line += 1;
      recordLine = line;
    } else field += char;
  }
  fields.push(field);
  if (fields.some((value) => value.trim() !== '')) records.push({ line: recordLine, fields });
  return records;
}
