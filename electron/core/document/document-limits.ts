/** Bounds on what one input file may cost; beyond them the file gets an error, never a hang. */
export interface DocumentLimits {
  maxBytes: number;
  maxPages: number;
  /** Per page, width × height. */
  maxPixels: number;
}

/** Defaults sized for 2-core, 24 GiB stations: a 600-dpi A3 page is 70 MP, a 1,000-page batch is normal. */
export const defaultDocumentLimits: DocumentLimits = {
  maxBytes: 1024 * 1024 * 1024,
  maxPages: 5000,
  maxPixels: 120_000_000,
};
