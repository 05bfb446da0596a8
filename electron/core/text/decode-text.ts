import iconv from 'iconv-lite';

/** The encoding a text file turned out to be in. */
export type TextEncodingName = 'utf-8' | 'gbk';

/**
 * Decodes text exported by Excel or an ERP on a Chinese PC: UTF-8 (with or without BOM) when the
 * bytes are valid UTF-8, otherwise GBK (GB18030 superset). iconv-lite is used because Node's and
 * Electron's TextDecoder do not reliably ship GBK.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start)), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030'), encoding: 'gbk' };
  }
}
