/** What one scanned page turned out to be, as far as splitting is concerned. */
export type PageKind =
  /** A cover: a valid image code in a top corner (or, turned, a bottom corner). */
  | { kind: 'cover'; code: string; turned: boolean }
  /** A QR in a cover's place whose payload fails the rules, or that cannot be read: held, never guessed. */
  | { kind: 'suspect'; reason: SuspectReason; payload: string }
  | { kind: 'content' }
  | { kind: 'blank' }
  /** A page whose image could not be decoded: never blank, never content, never part of a clean bill. */
  | { kind: 'damaged'; reason: string };

/** Why a page is a suspect cover: a payload against the rules, an upright code at the bottom, or a QR nothing could decode (payload empty). */
export type SuspectReason = 'invalid-code' | 'code-too-long' | 'unknown-code' | 'bottom-corner' | 'unreadable-code';

/** One classified page (1-based within its stack). */
export interface ClassifiedPage {
  page: number;
  what: PageKind;
}

/** Why a bill is held for a person instead of going to the upload queue. */
export type HeldReason = 'orphans' | 'suspect-cover' | 'empty-bill' | 'duplicate-code' | 'too-many-pages' | 'taken-in-before' | 'code-closed' | 'source-open' | 'damaged-pages';

/** A bill as the split sees it: its cover, its pages (cover included, blank pages not), and whether it is held. */
export interface SplitBill {
  /** The image code; null for orphans and suspect covers (a hostile payload is never used as a code). */
  code: string | null;
  /** The cover page, or null for orphans. */
  cover: number | null;
  pages: number[];
  held: HeldReason | null;
  /** The suspect cover's reason and its payload (escaped, for display only). */
  suspect?: { reason: SuspectReason; payload: string };
  /** The cover was fed upside down; the spool stores that cover turned upright (`StoredPage.turned`), its other pages as scanned. */
  turned: boolean;
  /** Pages that could not be read inside this bill or just before its cover (why it is held `damaged-pages`). */
  damaged?: number[];
  /** Held `empty-bill` because every page after the cover looked blank (not because another cover followed at once). */
  onlyBlank?: boolean;
}

/** The outcome of splitting one stack. */
export interface SplitResult {
  bills: SplitBill[];
  /** Pages before the first cover. */
  orphans: number[];
  /** Blank pages (backs of duplex scans): shown greyed, not uploaded by default. */
  blank: number[];
  /** Pages whose image could not be decoded: in no bill, never uploaded; the bills around them are held. */
  damaged: number[];
}

/** Split settings. */
export interface SplitOptions {
  /** Whether the cover page is uploaded as the bill's page 1 (default: yes). */
  coverIsPage: boolean;
  /** A bill longer than this is held (a missed cover merges bills). */
  maxBillPages: number;
}

/** Defaults: the cover goes up as page 1; a bill over 500 pages is held. */
export const defaultSplitOptions: SplitOptions = { coverIsPage: true, maxBillPages: 500 };

/**
 * Splits a stack into bills by its covers. Pure: the same pages always give the same bills. A
 * cover starts a bill and the pages after it belong to it until the next cover; anything unsure is
 * held with its reason — pages before the first cover, a suspect cover, a cover with nothing after
 * it, an image code seen twice in the stack, a bill over the page limit, pages that could not be
 * read (the bill they fall in and the bill whose cover follows them) — never guessed.
 */
export function splitStack(pages: ClassifiedPage[], options: SplitOptions = defaultSplitOptions): SplitResult {
  const bills: SplitBill[] = [];
  const orphans: number[] = [];
  const blank: number[] = [];
  const damaged: number[] = [];
  // Assigned in open(): the cast keeps the compiler from taking it for null in the loop.
  let current = null as (SplitBill & { content: number; blanks: number }) | null;
  // Damaged pages since the last cover: a damaged page may have been a cover, so both the bill it
  // lands in and the bill whose cover comes next may start or end in the wrong place.
  let damagedSinceCover: number[] = [];
  const close = () => {
    if (current) {
      const { content, blanks, ...bill } = current;
      if (bill.damaged?.length) bills.push({ ...bill, held: bill.held === 'suspect-cover' ? bill.held : 'damaged-pages' });
      // A cover with only blank backs after it is no "two covers in a row": say which it was.
      else bills.push(content === 0 && bill.held === null ? { ...bill, held: 'empty-bill', ...(blanks > 0 ? { onlyBlank: true } : {}) } : bill);
    }
  };
  const open = (bill: SplitBill) => {
    close();
    current = { ...bill, ...(damagedSinceCover.length ? { damaged: damagedSinceCover } : {}), content: 0, blanks: 0 };
    damagedSinceCover = [];
  };
  for (const { page, what } of pages) {
    switch (what.kind) {
      case 'blank':
        blank.push(page);
        if (current) current.blanks += 1;
        break;
      case 'damaged':
        damaged.push(page);
        damagedSinceCover.push(page);
        if (current) current.damaged = [...(current.damaged ?? []), page];
        break;
      case 'cover':
        open({ code: what.code, cover: page, pages: options.coverIsPage ? [page] : [], held: null, turned: what.turned });
        break;
      case 'suspect':
        open({ code: null, cover: page, pages: [page], held: 'suspect-cover', suspect: { reason: what.reason, payload: what.payload }, turned: false });
        break;
      case 'content':
        if (current) {
          current.pages.push(page);
          current.content += 1;
        } else orphans.push(page);
        break;
    }
  }
  close();
  // A code twice in one stack holds every copy, the first too: which copy is right (or whether they
  // are one bill scanned in two parts) is a person's call, and nothing of that code may go up first.
  const copies = new Map<string, number>();
  for (const bill of bills) if (bill.code !== null) copies.set(bill.code, (copies.get(bill.code) ?? 0) + 1);
  for (const bill of bills) {
    if (bill.code === null) continue;
    if ((copies.get(bill.code) ?? 0) > 1 && bill.held === null) bill.held = 'duplicate-code';
    if (bill.held === null && bill.pages.length > options.maxBillPages) bill.held = 'too-many-pages';
  }
  return { bills, orphans, blank, damaged };
}
