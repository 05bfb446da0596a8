import { z } from 'zod';
import { endpointSettingsSchema, preflightStepIds } from './endpoint/endpoint-settings.js';
import { languages } from './i18n/languages.js';
import { channelNameList, eventNameList } from './ipc-names.js';
import { erpImageStates } from './imaging/erp-image-state.js';
import { bookkeepingWaitReasons, pauseReasons } from './station/station-state.js';
import { releaseModes } from './station/bill-status.js';
import { scanColors, scannerConditions, scannerDeviceKinds, scanSources } from './capture/capture-types.js';

/**
 * The one IPC contract. Each entry is a channel `domain:action` with the zod schemas of its
 * arguments and result. The preload, the HTTP bridge client and the renderer's types are all
 * derived from this object; main registers a handler for each key (see electron/ipc/handlers.ts).
 */

const messageParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** A supported UI language. */
export const languageSchema = z.enum(languages);

/** The six areas of the app frame. */
export const areaIds = ['scanDesk', 'templateCheck', 'covers', 'connection', 'troubleshoot', 'settings'] as const;

/** An area id. */
export const areaIdSchema = z.enum(areaIds);

/** Whether an area's engine has shipped in this build. */
export const featureStateSchema = z.enum(['available', 'planned']);

/** Where this core is running. */
export const runtimeSchema = z.enum(['electron', 'browser', 'cli']);

/** Facts about this installation, for the status bar, Settings and support. */
export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  runtime: runtimeSchema,
  dataDir: z.string(),
  logFile: z.string(),
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  features: z.record(areaIdSchema, featureStateSchema),
});

/** User interface preferences stored per station. */
export const prefsSchema = z.object({
  language: languageSchema,
  /** Whether someone chose the language (false: the system's default, so the UI may follow the browser's). */
  languageChosen: z.boolean().default(false),
  /** The area the station was last on; the next launch opens it. */
  lastArea: areaIdSchema.optional(),
  /** Start with the OS login, in the tray (desktop app): the scan folder is watched after a reboot. */
  startAtLogin: z.boolean().default(false),
  /** The scan folder the Scan desk watches (absent: none). */
  watchFolder: z.string().min(1).max(1000).optional(),
  /** Watching is paused (the folder is kept). */
  watchPaused: z.boolean().optional(),
  /** The clerk signed in at the Scan desk (影像扫描用户), until signed out; set through `scanDesk:signIn`, which checks it. */
  scanUser: z.string().max(500).optional(),
});

/** A partial preferences update (`languageChosen` follows from setting `language`; the scan user is signed in through `scanDesk:signIn`). */
export const prefsPatchSchema = prefsSchema.omit({ languageChosen: true, scanUser: true }).partial().strict();

/** Ids of the station self-check steps, in run order. */
export const stationCheckStepIds = ['data-dir', 'disk-space', 'runtime', 'prefs', 'logs'] as const;

/** A check step's outcome. */
export const stepStatusSchema = z.enum(['pass', 'warn', 'fail', 'skipped']);

/** One finished self-check step; `code` keys the localized message in selfCheck.messages. */
export const stationCheckStepSchema = z.object({
  id: z.enum(stationCheckStepIds),
  status: stepStatusSchema,
  ms: z.number().nonnegative(),
  code: z.string(),
  params: messageParamsSchema,
});

/** The full self-check report. */
export const stationCheckReportSchema = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  verdict: z.enum(['pass', 'warn', 'fail']),
  steps: z.array(stationCheckStepSchema),
});

/** A client-chosen id that ties progress events to the call that started a long job. */
export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a job id is 1-64 letters, digits, - or _');

const noArgs = z.object({}).strict();

/** One finding on a page (localized by the renderer from `code` and `params`). */
export const pageProblemSchema = z.object({
  code: z.string(),
  severity: z.enum(['warn', 'fail']),
  params: messageParamsSchema,
  symbol: z.number().int().nonnegative().optional(),
});

/** One QR found on a page. */
export const codeReportSchema = z.object({
  value: z.string(),
  corner: z.enum(['top-right', 'top-left', 'bottom-right', 'bottom-left', 'center', 'edge']),
  box: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
  moduleMm: z.number(),
  modulePx: z.number(),
  quietZoneModules: z.number(),
  kind: z.enum(['cover', 'invoice', 'other']),
  valid: z.boolean(),
  contrast: z.number(),
  version: z.number(),
});

/** The check of one page, with its annotated picture as a PNG data URL. */
export const pageReportSchema = z.object({
  page: z.number().int().positive(),
  widthMm: z.number(),
  heightMm: z.number(),
  dpi: z.number(),
  verdict: z.enum(['ok', 'warn', 'fail']),
  problems: z.array(pageProblemSchema),
  codes: z.array(codeReportSchema),
  annotatedPng: z.string().startsWith('data:image/png;base64,').nullable(),
});

/** The check of one uploaded file. */
export const fileReportSchema = z.object({
  name: z.string(),
  pageCount: z.number().int().nonnegative(),
  error: z.object({ code: z.string(), message: z.string(), params: messageParamsSchema.optional() }).nullable(),
  pages: z.array(pageReportSchema),
});

/** What a cover shows (all text; the amount is formatted by core). */
export const coverFieldsSchema = z
  .object({
    code: z.string().max(200),
    billNo: z.string().max(500).optional(),
    billType: z.string().max(500).optional(),
    company: z.string().max(500).optional(),
    submitter: z.string().max(500).optional(),
    department: z.string().max(500).optional(),
    date: z.string().max(500).optional(),
    amount: z.string().max(500).optional(),
  })
  .strict();

/** Cover layout choices. */
export const coverLayoutSchema = z.object({
  paper: z.enum(['a4', 'a5', 'letter']),
  corner: z.enum(['top-right', 'top-left']),
  sizeMm: z.number().min(10).max(60),
  ecLevel: z.enum(['M', 'Q']),
});

/** Why a cover row was refused (localized by `coverReasons.<reason>`). */
export const coverProblemSchema = z.object({ reason: z.string() }).catchall(z.union([z.string(), z.number()]));

/** Largest bills CSV accepted from the UI. */
export const maxCoverCsvUploadBytes = 16 * 1024 * 1024;

/** One finished preflight step (localized by `preflight.codes.<code>` and `preflight.fixes.<code>`). */
export const preflightStepSchema = z.object({
  id: z.enum(preflightStepIds),
  status: z.enum(['pass', 'warn', 'fail', 'skipped']),
  ms: z.number().nonnegative(),
  code: z.string(),
  params: messageParamsSchema,
});

/** One finding about an endpoint profile (keys `endpointProblems.<code>` and `endpointFixes.<code>`). */
export const settingsProblemSchema = z.object({ field: z.string(), code: z.string(), severity: z.enum(['error', 'warning']), params: messageParamsSchema });

/** The station's endpoint profile as Settings and Connection show it: whether a secret is stored, never the secret. */
export const endpointViewSchema = z.object({
  settings: endpointSettingsSchema,
  problems: z.array(settingsProblemSchema),
  secret: z.object({ stored: z.boolean(), protection: z.enum(['os-keychain', 'key-file']), forThisAddress: z.boolean() }),
  lastPreflight: z.object({ at: z.string(), ok: z.boolean(), stale: z.boolean(), failed: z.array(z.string()) }).nullable(),
  trainingAddress: z.string().nullable(),
});

/**
 * The name of a file the page uploads: a plain file name, shown to people and written to logs, so
 * no folders (`../../etc/passwd`), no control or bidi characters (terminal escapes, spoofed names).
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const uploadNameSchema = z.string().min(1).max(255).regex(/^(?!\.\.?$)[^/\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+$/, 'a plain file name');

/** Largest scanned stack accepted from a drop on the Scan desk (bigger stacks go through the watch folder). */
export const maxStackUploadBytes = 48 * 1024 * 1024;

const heldReasonSchema = z.enum(['orphans', 'suspect-cover', 'empty-bill', 'duplicate-code', 'too-many-pages', 'taken-in-before', 'code-closed', 'source-open', 'damaged-pages']);

/** A bill in the spool as the Scan desk shows it. */
export const deskBillSchema = z.object({
  id: z.string(),
  stackId: z.string(),
  code: z.string().nullable(),
  cover: z.number().int().nullable(),
  pages: z.array(z.number().int()),
  held: heldReasonSchema.nullable(),
  state: z.enum(['ready', 'held', 'review', 'discarded']),
  turned: z.boolean(),
  /** Its cover was scanned upside down and is stored, shown and uploaded turned upright; lossless or the JPEG saved again. */
  upright: z.object({ lossless: z.boolean() }).optional(),
  /** A copy of a repeated code whose pages were merged into this bill (discarded, its pages live on there). */
  mergedInto: z.string().optional(),
  suspect: z.object({ reason: z.string(), payload: z.string() }).optional(),
  /** Pages that could not be read inside the bill or just before its cover (held `damaged-pages`). */
  damaged: z.array(z.number().int()).optional(),
  /** Held `empty-bill` because every page after its cover looked blank. */
  onlyBlank: z.boolean().optional(),
});

/** How this station splits stacks (the Settings page's Scan desk panel). */
export const deskSettingsSchema = z.object({
  pattern: z.string().max(300).nullable(),
  blankInkPercent: z.number().min(0).max(5),
  coverIsPage: z.boolean(),
  recycleDays: z.number().int().min(1).max(3650),
  importedDays: z.number().int().min(0).max(3650),
  doneDays: z.number().int().min(0).max(3650),
  /** Seconds of quiet after which an open batch of page files closes. */
  batchGapSeconds: z.number().int().min(2).max(600),
  expectedCodes: z.object({ name: z.string(), count: z.number().int(), importedAt: z.string() }).nullable(),
  release: z.enum(releaseModes),
});

/** The station's counts from the one status model (electron/shared/station/bill-status.ts). */
export const stationCountsSchema = z.object({
  receiving: z.number().int(),
  held: z.number().int(),
  review: z.number().int(),
  ready: z.number().int(),
  sending: z.number().int(),
  sentToday: z.number().int(),
});

/** The largest expected-codes list accepted over the bridge (the same bound as the CLI's --codes). */
export const maxExpectedCodesUploadBytes = 16 * 1024 * 1024;

/** What a drop on the Scan desk made: the stack, and its bills at a glance (ready, needing a person, the first of those to jump to). */
export const importResultSchema = z.object({
  status: z.enum(['ingested', 'already']),
  stackId: z.string(),
  importedAt: z.string(),
  bills: z.object({ total: z.number().int(), ready: z.number().int(), review: z.number().int(), held: z.number().int(), firstHeld: z.string().nullable(), orphans: z.number().int() }).optional(),
});

/** Where the watched scan folder stands, what it did lately, and a revision that changes with the spool. */
export const watchReportSchema = z.object({
  status: z.discriminatedUnion('state', [
    z.object({ state: z.literal('off') }),
    z.object({ state: z.literal('watching'), folder: z.string(), lastLookAt: z.string().nullable(), waiting: z.number().int(), backlog: z.number().int(), claimedElsewhere: z.array(z.string()) }),
    z.object({ state: z.literal('paused'), folder: z.string() }),
    z.object({ state: z.literal('unavailable'), folder: z.string(), reason: z.enum(['missing', 'not-a-folder', 'link', 'unreadable']), detail: z.string() }),
    z.object({ state: z.literal('failing'), folder: z.string(), since: z.string(), error: z.object({ code: z.string(), message: z.string(), params: messageParamsSchema }) }),
  ]),
  revision: z.number().int(),
  /** The station's bills by their one state (orphan pages count as one held entry). */
  counts: stationCountsSchema,
  recent: z.array(z.object({ at: z.string(), kind: z.enum(['taken', 'already', 'failed', 'refused', 'notice']), name: z.string(), error: z.object({ code: z.string(), message: z.string(), params: messageParamsSchema.optional() }).nullable() })),
  /** The file being taken in now (watched or dropped): page `page` of `pages` stored ("receiving scan-0005.pdf, page 12/48"). */
  receiving: z.object({ name: z.string(), page: z.number().int(), pages: z.number().int() }).nullable().optional(),
  /** The open batch of page files (a scanner writing one file per page): "receiving… 12 pages"; its stack is made when it closes. */
  batch: z.object({ pages: z.number().int(), files: z.number().int(), first: z.string().nullable(), last: z.string().nullable(), openedAt: z.string(), lastAt: z.string().nullable(), closeRequested: z.boolean() }).nullable().optional(),
});

const errorInfoSchema = z.object({ code: z.string(), params: messageParamsSchema });

/** One bill in the upload queue (ipc twin of core's QueueBill). */
export const queueBillSchema = z.object({
  id: z.string(),
  stackId: z.string(),
  code: z.string(),
  state: z.enum(['queued', 'sending', 'waiting', 'held', 'done']),
  pages: z.number().int(),
  sent: z.number().int(),
  bytesSent: z.number(),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  held: errorInfoSchema.nullable(),
  lastError: errorInfoSchema.extend({ at: z.string() }).nullable(),
  importedAt: z.string(),
  closedAt: z.string().nullable(),
  receipts: z.array(z.object({ receiptId: z.string(), imageCode: z.string(), page: z.number().int(), sha256: z.string(), bytes: z.number(), receivedAt: z.string() })),
});

/** The upload queue at a glance: its state, why it waits, and its bills (done ones newest first, at most 50). */
export const queueStatusSchema = z.object({
  state: z.enum(['idle', 'sending', 'paused', 'waiting']),
  reason: z.enum([...pauseReasons, ...bookkeepingWaitReasons]).nullable(),
  detail: errorInfoSchema.nullable(),
  nextAttemptAt: z.string().nullable(),
  counts: z.object({ queued: z.number().int(), sending: z.number().int(), waiting: z.number().int(), held: z.number().int(), done: z.number().int() }),
  /** The station's counts from the one status model (the same the status bar shows), when known. */
  station: stationCountsSchema.nullable(),
  bills: z.array(queueBillSchema),
});

/** A stack on the Scan desk, newest first, with its page thumbnails. */
export const deskStackSchema = z.object({
  id: z.string(),
  name: z.string(),
  importedAt: z.string(),
  pages: z.array(
    z.object({
      page: z.number().int(),
      kind: z.enum(['cover', 'suspect', 'content', 'blank', 'damaged']),
      thumbPng: z.string().startsWith('data:image/png;base64,'),
      /** The cover's QR corners as shares of the page, to draw its box. */
      qr: z.array(z.object({ x: z.number(), y: z.number() })).nullable(),
      /** A page copied in from another file (orphan pages given, a copy merged): that file's name and page. */
      from: z.object({ source: z.string(), page: z.number().int() }).optional(),
    }),
  ),
  bills: z.array(deskBillSchema),
  orphans: z.array(z.number().int()),
  blank: z.array(z.number().int()),
  /** Per bill id: the pages of its stretch that no bill has (blank backs, pages left out), to put back. */
  leftOut: z.record(z.string(), z.array(z.number().int())),
  /** Who scanned it where (扫描人, 扫描点) as recorded at intake; null: taken in before that was recorded. */
  scan: z.object({ user: z.string().nullable(), point: z.string().nullable() }).nullable(),
});

/** What a scanner offers (ipc twin of `ScannerCapabilities`, electron/shared/capture/capture-types.ts). */
export const scannerCapabilitiesSchema = z.object({
  makeAndModel: z.string().nullable(),
  sources: z.array(z.enum(scanSources)),
  resolutions: z.array(z.number().int()),
  colors: z.array(z.enum(scanColors)),
  formats: z.array(z.string()),
  feederCapacity: z.number().int().nullable(),
});

/** A scanner's state in one word, and its own text for support. */
export const scannerStatusSchema = z.object({ condition: z.enum(scannerConditions), detail: z.string().nullable() });

/** A scanner the desk can pick: found on the network, typed by someone, or listed by SANE; what it offers and its state when it answered. */
export const scannerDeviceSchema = z.object({
  /** The eSCL base URL (`http://host:port/eSCL`) or `sane:NAME`: what `scan --device` takes. */
  id: z.string(),
  kind: z.enum(scannerDeviceKinds),
  name: z.string(),
  origin: z.enum(['discovered', 'typed', 'sane']),
  capabilities: scannerCapabilitiesSchema.nullable(),
  status: scannerStatusSchema.nullable(),
  /** Why it could not be read (unreachable, a bad answer); null when it answered. */
  error: errorInfoSchema.nullable(),
});

/** One job's scan settings: the source, the resolution and the colour mode. */
export const scanSettingsSchema = z.object({ source: z.enum(scanSources), dpi: z.number().int().min(75).max(1200), color: z.enum(scanColors) });

/** The desk's scan settings: the scanner picked (null: none yet) and how it scans. */
export const captureSettingsSchema = scanSettingsSchema.extend({ device: z.string().min(1).max(2000).nullable() });

/** A page received in a scan, as the desk shows it while the stack grows. */
export const capturePageSchema = z.object({
  page: z.number().int().positive(),
  kind: z.enum(['cover', 'suspect', 'content', 'blank', 'damaged']),
  /** A cover's image code. */
  code: z.string().nullable(),
  thumbPng: z.string().startsWith('data:image/png;base64,'),
});

/** The scan job running now (or the last one, until the next starts): device, settings, pages in, the split so far. */
export const captureJobSchema = z.object({
  id: z.string(),
  /** The open batch its pages go to (null until the first page is stored). */
  batchId: z.string().nullable(),
  device: z.object({ id: z.string(), name: z.string() }),
  settings: scanSettingsSchema,
  /** checking: the device's state read before the job; scanning: pages coming; finishing: the batch closing into a stack. */
  phase: z.enum(['checking', 'scanning', 'cancelling', 'finishing', 'done', 'failed', 'cancelled']),
  /** Pages received and stored (fsync'd) in this job's stack so far, earlier ones of a continued scan included. */
  pages: z.number().int().nonnegative(),
  startedAt: z.string(),
  lastPageAt: z.string().nullable(),
  /** The last pages received (at most 12), newest last, with thumbnails. */
  recent: z.array(capturePageSchema),
  /** The split so far: each bill's code (null: pages before any cover) and its page count. */
  bills: z.array(z.object({ code: z.string().nullable(), pages: z.number().int() })),
  /** The stack the job became (done). */
  stackId: z.string().nullable(),
  /** Why it stopped (failed): a scanner code (jam, feeder empty…) or a spool one. */
  error: errorInfoSchema.nullable(),
});

/** A scan the station was cut off from (a crash, a restart, a lost scanner): its pages held until someone continues or releases it. */
export const interruptedScanSchema = z.object({
  batchId: z.string(),
  device: z.object({ id: z.string(), name: z.string() }),
  pages: z.number().int(),
  openedAt: z.string(),
  lastAt: z.string().nullable(),
});

/** The capture as the Scan desk and the status bar show it. */
export const captureStateSchema = z.object({
  job: captureJobSchema.nullable(),
  interrupted: z.array(interruptedScanSchema),
  /** The picked scanner's state when last read (status bar); null: none picked or never read. */
  scanner: z.object({ device: z.string(), name: z.string(), status: scannerStatusSchema, at: z.string() }).nullable(),
  /** What this desk's system offers: Windows desks scan with the vendor tool or a network scanner (no WIA/TWAIN here). */
  platform: z.enum(['windows', 'linux', 'mac', 'other']),
});

/** Who scans at this desk: the clerk signed in, else the station's scan user; and the station's scan point. */
export const scanUserViewSchema = z.object({ signedIn: z.string().nullable(), stationUser: z.string().nullable(), scanPoint: z.string().nullable() });

const traceErrorSchema = z.object({ code: z.string(), params: messageParamsSchema });
/** The ERP's 影像状态 code. */
const erpImageStateSchema = z.enum(erpImageStates);

/** One code's trace (ipc twin of core's CodeTrace): verdict, owner, facts, the station's and the server's view, the timeline. */
export const codeTraceSchema = z.object({
  code: z.string(),
  verdict: z.enum(['no-image-needed', 'sync-mode', 'returned', 'delivered', 'delivered-unverified', 'pages-differ', 'waiting', 'held', 'discarded', 'delivered-elsewhere', 'not-scanned', 'close-lost', 'server-has-none', 'voided']),
  owner: z.enum(['clerk', 'implementer', 'bill-owner', 'erp-support', 'imaging-admin', 'nobody']),
  facts: z.record(z.string(), z.union([z.string(), z.number()])),
  station: z.object({
    seen: z.boolean(),
    coversMade: z.array(z.object({ at: z.string(), billNo: z.string().nullable(), source: z.string().nullable() })),
    templateChecks: z.array(z.object({ at: z.string(), source: z.string().nullable(), verdict: z.string().nullable() })),
    bills: z.array(
      z.object({
        billId: z.string(),
        stackId: z.string(),
        source: z.string(),
        importedAt: z.string(),
        pages: z.array(z.number().int()),
        state: z.enum(['ready', 'held', 'review', 'discarded']),
        heldReason: z.string().nullable(),
        upload: z
          .object({
            state: z.enum(['queued', 'sending', 'waiting', 'held', 'done']),
            pages: z.number().int(),
            sent: z.number().int(),
            attempts: z.number().int(),
            nextAttemptAt: z.string().nullable(),
            lastError: traceErrorSchema.extend({ at: z.string() }).nullable(),
            held: traceErrorSchema.extend({ at: z.string() }).nullable(),
            closedAt: z.string().nullable(),
            round: z.number().int(),
            receipts: z.array(z.object({ page: z.number().int(), receiptId: z.string(), sha256: z.string(), receivedAt: z.string() })),
            sha256: z.array(z.string()),
          })
          .nullable(),
      }),
    ),
    queue: z.object({ state: z.enum(['idle', 'sending', 'paused', 'waiting']), reason: z.string().nullable(), nextAttemptAt: z.string().nullable() }),
    mode: z.string(),
    returned: z.object({ code: z.string(), reason: z.string(), reasonCode: z.string().nullable(), reasonName: z.string().nullable(), returnedAt: z.string(), round: z.number().int(), noticedAt: z.string(), resolved: z.object({ billId: z.string(), at: z.string() }).nullable() }).nullable(),
    discarded: z.object({ at: z.string(), bill: z.string().nullable(), source: z.string().nullable(), by: z.string().nullable() }).nullable(),
  }),
  server: z
    .object({
      status: z.enum(['open', 'closed', 'returned', 'voided', 'unknown']),
      round: z.number().int(),
      pageCount: z.number().int().nullable(),
      pages: z.array(z.object({ page: z.number().int(), sha256: z.string(), bytes: z.number(), receivedAt: z.string() })),
      returned: z.object({ reason: z.string(), at: z.string(), reasonCode: z.string().nullable() }).nullable(),
      compare: z.object({ same: z.array(z.number().int()), missing: z.array(z.number().int()), extra: z.array(z.number().int()), differ: z.array(z.number().int()) }),
      imageState: erpImageStateSchema,
      imageStateFromServer: z.boolean(),
      voided: z.object({ reason: z.string(), at: z.string() }).nullable(),
      needImageScan: z.boolean(),
      scan: z.object({ scanUser: z.string().nullable(), scanPoint: z.string().nullable(), stationIp: z.string().nullable(), scannedAt: z.string().nullable(), pageCount: z.number().int().nullable() }).nullable(),
    })
    .nullable(),
  serverError: traceErrorSchema.nullable(),
  /** What the ERP's 影像映射维护 shows for the code (null when the server could not be asked). */
  erp: z
    .object({
      imageState: z.object({ code: erpImageStateSchema, name: z.string() }),
      fromServer: z.boolean(),
      pageCount: z.number().int().nullable(),
      scan: z.object({ user: z.string().nullable(), point: z.string().nullable(), stationIp: z.string().nullable(), scannedAt: z.string().nullable() }).nullable(),
      rescanReason: z.object({ code: z.string().nullable(), text: z.string(), at: z.string() }).nullable(),
      voided: z.object({ reason: z.string(), at: z.string() }).nullable(),
      needImageScan: z.boolean(),
    })
    .nullable(),
  timeline: z.array(
    z.object({
      at: z.string(),
      event: z.string(),
      from: z.enum(['station', 'server']),
      stack: z.string().optional(),
      bill: z.string().optional(),
      source: z.string().optional(),
      pages: z.array(z.number().int()).optional(),
      reason: z.string().optional(),
      detail: z.string().optional(),
      by: z.string().optional(),
      params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      receipts: z.array(z.string()).optional(),
      round: z.number().int().optional(),
      status: z.string().optional(),
    }),
  ),
});

/** A bill this station uploaded, with the server's status once refreshed (ipc twin of core's RecentBill). */
export const recentBillSchema = z.object({
  code: z.string(),
  billId: z.string(),
  stackId: z.string(),
  source: z.string(),
  pages: z.number().int(),
  closedAt: z.string(),
  round: z.number().int(),
  server: z
    .object({ status: z.enum(['open', 'closed', 'returned', 'voided', 'unknown']), imageState: erpImageStateSchema, round: z.number().int(), pageCount: z.number().int().nullable(), matches: z.boolean(), returned: z.object({ reason: z.string(), at: z.string(), reasonCode: z.string().nullable() }).nullable(), checkedAt: z.string() })
    .nullable(),
  serverError: traceErrorSchema.nullable(),
});

/** A bill the imaging side returned for rescan, as the station learnt it. */
export const returnedBillSchema = z.object({
  code: z.string(),
  reason: z.string(),
  /** The rescan reason's code and its name from the server's list (退扫原因), when the return named one. */
  reasonCode: z.string().nullable(),
  reasonName: z.string().nullable(),
  returnedAt: z.string(),
  round: z.number().int(),
  noticedAt: z.string(),
  resolved: z.object({ billId: z.string(), at: z.string() }).nullable(),
});

const isoTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/, 'an ISO time in UTC');

/** Largest template accepted from the UI (base64 inflates it by a third on the wire). */
export const maxTemplateBytes = 48 * 1024 * 1024;

/** The invoke channels: name → argument and result schemas. */
export const ipcContract = {
  'app:info': { args: noArgs, result: appInfoSchema },
  'prefs:get': { args: noArgs, result: prefsSchema },
  'prefs:set': { args: prefsPatchSchema, result: prefsSchema },
  'diagnose:stationCheck': { args: z.object({ jobId: jobIdSchema }).strict(), result: stationCheckReportSchema },
  'templateCheck:inspect': {
    args: z
      .object({
        jobId: jobIdSchema,
        name: uploadNameSchema,
        dataBase64: z.string().max(Math.ceil((maxTemplateBytes * 4) / 3) + 4),
        dpi: z.number().int().min(50).max(1200),
        pattern: z.string().max(500).optional(),
      })
      .strict(),
    result: fileReportSchema,
  },
  'scanDesk:overview': { args: noArgs, result: z.object({ stacks: z.array(deskStackSchema) }) },
  'scanDesk:watchStatus': { args: noArgs, result: watchReportSchema },
  'scanDesk:settings': { args: noArgs, result: deskSettingsSchema },
  'scanDesk:saveSettings': { args: z.object({ pattern: z.string().max(300).nullable(), blankInkPercent: z.number().min(0).max(5), coverIsPage: z.boolean(), recycleDays: z.number().int().min(1).max(3650), importedDays: z.number().int().min(0).max(3650), doneDays: z.number().int().min(0).max(3650), release: z.enum(releaseModes).optional(), batchGapSeconds: z.number().int().min(2).max(600).optional() }).strict(), result: deskSettingsSchema },
  'scanDesk:importExpected': {
    args: z.object({ name: uploadNameSchema, dataBase64: z.string().max(Math.ceil((maxExpectedCodesUploadBytes * 4) / 3) + 4) }).strict(),
    result: deskSettingsSchema,
  },
  'scanDesk:clearExpected': { args: noArgs, result: deskSettingsSchema },
  'scanDesk:page': {
    args: z.object({ stackId: z.string().regex(/^[\w-]{1,80}$/), page: z.number().int().min(1).max(100_000) }).strict(),
    result: z.object({ image: z.string().regex(/^data:image\/(jpeg|png);base64,/), qr: z.array(z.object({ x: z.number(), y: z.number() })).nullable() }),
  },
  'scanDesk:closeBatch': { args: noArgs, result: watchReportSchema },
  'scanDesk:importPages': {
    // Page images dropped together: each within the drop limit, all of them within four times it (bigger batches go through the watch folder).
    args: z
      .object({ files: z.array(z.object({ name: uploadNameSchema, dataBase64: z.string().max(Math.ceil((maxStackUploadBytes * 4) / 3) + 4) }).strict()).min(1).max(500) })
      .strict()
      .refine((value) => value.files.reduce((sum, file) => sum + file.dataBase64.length, 0) <= Math.ceil((maxStackUploadBytes * 16) / 3) + 4 * value.files.length, { message: 'the page images dropped together are too large' }),
    result: importResultSchema,
  },
  'scanDesk:setWatch': { args: z.object({ folder: z.string().max(1000).nullable(), paused: z.boolean() }).strict(), result: watchReportSchema },
  'scanDesk:import': {
    args: z.object({ name: uploadNameSchema, dataBase64: z.string().max(Math.ceil((maxStackUploadBytes * 4) / 3) + 4) }).strict(),
    result: importResultSchema,
  },
  'scanDesk:billAction': {
    args: z
      .object({
        billId: z.string().regex(/^[\w-]{1,80}$/),
        action: z.enum(['release', 'discard', 'set-code', 'take-orphans', 'give-orphans', 'move-page', 'exclude-page', 'restore-page', 'mark-cover', 'not-a-cover', 'keep-copy', 'merge-copies']),
        code: z.string().max(64).optional(),
        page: z.number().int().min(1).max(100_000).optional(),
        to: z.enum(['previous', 'next']).optional(),
        /** `give-orphans` (billId: a stack's `<stack>-orphans`): the bill, of any stack, that takes them. */
        target: z.string().regex(/^[\w-]{1,80}$/).optional(),
      })
      .strict(),
    result: deskBillSchema,
  },
  'scanDesk:releaseReviewed': { args: noArgs, result: z.object({ released: z.number().int() }) },
  'scanDesk:scanUser': { args: noArgs, result: scanUserViewSchema },
  // null or empty: signs out. Checked in core (length, hidden characters) so the refusal names the fix in both languages.
  'scanDesk:signIn': { args: z.object({ scanUser: z.string().max(500).nullable() }).strict(), result: scanUserViewSchema },
  // Direct capture (docs/capture.md): scanners found and typed, the desk's scan settings, one job at a time.
  'capture:devices': { args: z.object({ refresh: z.boolean().optional() }).strict(), result: z.object({ devices: z.array(scannerDeviceSchema), settings: captureSettingsSchema }) },
  'capture:addDevice': { args: z.object({ address: z.string().min(1).max(2000) }).strict(), result: scannerDeviceSchema },
  'capture:removeDevice': { args: z.object({ id: z.string().min(1).max(2000) }).strict(), result: z.object({ removed: z.boolean() }) },
  'capture:saveSettings': { args: captureSettingsSchema.strict(), result: captureSettingsSchema },
  'capture:state': { args: noArgs, result: captureStateSchema },
  /** Starts a job with the saved settings; `into`: continue an interrupted scan (its batch). Resolves once the job is under way. */
  'capture:start': { args: z.object({ into: z.string().max(100).optional() }).strict(), result: captureStateSchema },
  'capture:cancel': { args: noArgs, result: captureStateSchema },
  /** Closes an interrupted scan into a stack with what came (null: it held no page). */
  'capture:release': { args: z.object({ batchId: z.string().min(1).max(100) }).strict(), result: z.object({ stackId: z.string().nullable() }) },
  'templateCheck:cancel': { args: z.object({ jobId: jobIdSchema }).strict(), result: z.object({ cancelled: z.boolean() }) },
  'upload:status': { args: noArgs, result: queueStatusSchema },
  'upload:act': {
    args: z.object({ action: z.enum(['pause', 'resume', 'retry-now', 'hold', 'resend']), billId: z.string().regex(/^[\w-]{1,80}$/).optional() }).strict(),
    result: queueStatusSchema,
  },
  'support:lookup': {
    args: z
      .object({
        text: z.string().max(200_000),
        day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().optional(),
        symptom: z.enum(['no-image', 'no-image-needed']).optional(),
        // The page of a long day's codes (200 a page, in a stable order); 1 when absent.
        page: z.number().int().min(1).max(500).optional(),
      })
      .strict(),
    result: z.object({
      traces: z.array(codeTraceSchema),
      resolved: z.array(z.object({ billNo: z.string(), codes: z.array(z.string()) })),
      unresolved: z.array(z.string()),
      leftOut: z.number().int(),
      total: z.number().int(),
      totalCapped: z.boolean(),
      page: z.number().int(),
      pages: z.number().int(),
      first: z.number().int(),
    }),
  },
  'support:recent': {
    // refresh: ask the imaging system about each bill now (a return is recorded for the Scan desk).
    args: z.object({ from: isoTimeSchema, to: isoTimeSchema, refresh: z.boolean().optional() }).strict(),
    result: z.array(recentBillSchema),
  },
  'support:returned': { args: noArgs, result: z.array(returnedBillSchema) },
  // Sends a lost close again (the close-lost verdict only); the traces before and after.
  'support:reclose': {
    args: z.object({ code: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) }).strict(),
    result: z.object({ resent: z.boolean(), before: codeTraceSchema, after: codeTraceSchema }),
  },
  'support:bundle': {
    args: z.object({ codes: z.array(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/)).max(200).optional(), days: z.number().int().min(1).max(90).optional() }).strict(),
    result: z.object({ name: z.string(), zipBase64: z.string(), files: z.array(z.string()) }),
  },
  'covers:preview': {
    args: z.object({ fields: coverFieldsSchema, layout: coverLayoutSchema }).strict(),
    result: z.union([z.object({ png: z.string().startsWith('data:image/png;base64,'), cut: z.array(z.string()) }), z.object({ problem: coverProblemSchema })]),
  },
  'covers:importCsv': {
    args: z.object({ name: uploadNameSchema, dataBase64: z.string().max(Math.ceil((maxCoverCsvUploadBytes * 4) / 3) + 4) }).strict(),
    result: z.object({
      encoding: z.enum(['utf-8', 'gbk']),
      ignoredColumns: z.array(z.string()),
      rows: z.array(z.object({ line: z.number().int(), fields: coverFieldsSchema, problem: coverProblemSchema.nullable() })),
    }),
  },
  'endpoint:settings': { args: noArgs, result: endpointViewSchema },
  'endpoint:save': {
    // clientSecret: a string replaces the stored one, null removes it, absent keeps it.
    // keepSecretForNewAddress: the person confirmed the stored secret may sign for the new address.
    args: z.object({ settings: endpointSettingsSchema, clientSecret: z.string().max(500).nullable().optional(), keepSecretForNewAddress: z.boolean().optional() }).strict(),
    result: endpointViewSchema,
  },
  'endpoint:export': { args: noArgs, result: z.object({ fileName: z.string(), text: z.string() }) },
  'endpoint:parseProfile': {
    args: z.object({ text: z.string().max(256 * 1024), name: z.string().max(255).optional() }).strict(),
    result: z.object({ settings: endpointSettingsSchema, problems: z.array(settingsProblemSchema) }),
  },
  'endpoint:preflight': {
    args: z.object({ jobId: jobIdSchema }).strict(),
    result: z.object({ ok: z.boolean(), steps: z.array(preflightStepSchema) }),
  },
  'covers:print': {
    args: z
      .object({
        jobId: jobIdSchema,
        layout: coverLayoutSchema,
        rows: z.array(z.object({ line: z.number().int().nonnegative(), fields: coverFieldsSchema })).min(1).max(2_000),
      })
      .strict(),
    result: z.object({
      printed: z.boolean(),
      reason: z.string().optional(),
      written: z.number().int().nonnegative(),
      rejected: z.array(z.object({ line: z.number().int(), code: z.string(), problem: coverProblemSchema })),
    }),
  },
  'covers:generate': {
    args: z
      .object({
        jobId: jobIdSchema,
        layout: coverLayoutSchema,
        rows: z.array(z.object({ line: z.number().int().nonnegative(), fields: coverFieldsSchema })).min(1).max(20_000),
        /** One PDF per bill, packed in a ZIP, instead of one merged PDF. */
        perBill: z.boolean().optional(),
      })
      .strict(),
    result: z.object({
      pdfBase64: z.string().nullable(),
      zipBase64: z.string().nullable(),
      written: z.number().int().nonnegative(),
      rejected: z.array(z.object({ line: z.number().int(), code: z.string(), problem: coverProblemSchema })),
      selfCheckMs: z.number(),
    }),
  },
} as const;

/** The event channels main pushes to the renderer: name → payload schema. */
export const ipcEvents = {
  'diagnose:progress': z.object({
    jobId: jobIdSchema,
    index: z.number().int().nonnegative(),
    total: z.number().int().positive(),
    step: stationCheckStepSchema,
  }),
  'endpoint:preflightStep': z.object({ jobId: jobIdSchema, index: z.number().int().nonnegative(), total: z.number().int().positive(), step: preflightStepSchema }),
  'covers:progress': z.object({ jobId: jobIdSchema, done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  'templateCheck:progress': z.object({
    jobId: jobIdSchema,
    name: z.string(),
    page: z.number().int().nonnegative(),
    pageCount: z.number().int().nonnegative(),
  }),
  /** The spool or the queue changed: the screens reload now (pushed, not polled late), with the counts of the one model. */
  'station:changed': z.object({ revision: z.number().int(), counts: stationCountsSchema }),
  /** The capture changed (a page received, the job's phase, the scanner's state): the whole state, pushed. */
  'capture:changed': captureStateSchema,
} as const;

/** An invoke channel name. */
export type Channel = keyof typeof ipcContract;

/** An event channel name. */
export type EventName = keyof typeof ipcEvents;

/** The argument type a caller passes on a channel. */
export type ArgsOf<C extends Channel> = z.input<(typeof ipcContract)[C]['args']>;

/** The parsed argument type a handler receives. */
export type ParsedArgsOf<C extends Channel> = z.output<(typeof ipcContract)[C]['args']>;

/** The value a channel resolves with. */
export type ValueOf<C extends Channel> = z.output<(typeof ipcContract)[C]['result']>;

/** The payload of an event. */
export type EventPayload<E extends EventName> = z.output<(typeof ipcEvents)[E]>;

/** Exactly the same members, both ways (a compile-time check). */
type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// If either line stops compiling, ipc-names.ts and this contract disagree: update the lists there.
const channelListMatches: SameMembers<(typeof channelNameList)[number], Channel> = true;
const eventListMatches: SameMembers<(typeof eventNameList)[number], EventName> = true;
void [channelListMatches, eventListMatches];

/** All invoke channel names, in contract order. */
export const channelNames: readonly Channel[] = channelNameList;

/** All event channel names. */
export const eventNames: readonly EventName[] = eventNameList;

/** Narrows a string to an invoke channel name. */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(ipcContract, name);
}

/** Narrows a string to an event channel name. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(ipcEvents, name);
}
