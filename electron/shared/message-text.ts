import type { Translate } from './check-messages.js';
import type { MessageParams } from './error-codes.js';

/** What a `reason` param may hold besides an errno code: causes core recognises, each translated. */
export const reasonCodes = [
  'not-pdf',
  'no-pages',
  'empty-page',
  'pdf-memory',
  'truncated',
  'unsupported-image',
  'image-data',
  'not-json',
  'not-regular-file',
  'pdf-no-trailer',
  'tiff-ifd-past-end',
  'tiff-data-past-end',
  'jpeg-no-eoi',
  'png-no-iend',
  'schema-mismatch',
  'damaged-store',
  'damaged-key',
  'decrypt',
  'other-cipher',
  'no-secret',
  'other-endpoint',
  'discarded',
  'needs-code',
  'invalid-code',
  'no-orphans',
  'not-an-orphan',
  'orphans-only',
  'not-orphans',
  'source-open',
  'not-movable',
  'no-neighbour',
  'not-left-out',
  'uploading',
  'uploaded',
  'not-held',
  'not-waiting',
  'not-ready',
  'unrecognised',
  'empty',
  'unclosed-bracket',
  'unbalanced-parenthesis',
  'nothing-to-repeat',
  'bad-escape',
  'bad-quantifier',
  'syntax',
  'catastrophic',
  'too-long',
  'unsupported-version',
  'wrong-fields',
  'cancelled',
  'too-many-pages',
  'nothing-to-print',
  'unavailable',
  'name-empty',
  'dot-name',
  'name-too-long',
  'name-characters',
  'reserved-name',
  'trailing-dot-or-space',
] as const;

/** A recognised cause (see {@link reasonCodes}). */
export type ReasonCode = (typeof reasonCodes)[number];

const errnoLike = /^E[A-Z0-9_]{2,}$/;

/** Translates a `reason` param: a known cause or an errno code; anything else is named "unrecognised". */
export function localizeReason(t: Translate, reason: string | number, params: MessageParams = {}): string {
  const text = String(reason);
  if ((reasonCodes as readonly string[]).includes(text)) return t(`reasons.${text}`, params);
  if (errnoLike.test(text)) return t(`reasons.errno.${text}`, { code: text, defaultValue: t('reasons.errno.other', { code: text }) } as MessageParams);
  // HTTP statuses from a proxy, for example, are numbers and read the same in any language.
  if (/^\d{3}$/.test(text)) return `HTTP ${text}`;
  return t('reasons.unrecognised');
}

/**
 * Makes a message's params readable in the clerk's language: causes, step and field names are
 * codes inside core and are translated here, once, for the UI and the CLI alike.
 */
export function localizeParams(t: Translate, params: MessageParams = {}): MessageParams {
  const out: MessageParams = { ...params };
  if (typeof params['step'] === 'string') out['step'] = t(`preflight.steps.${params['step']}`);
  if (typeof params['field'] === 'string') out['field'] = t(`coverPrint.${params['field']}`, { defaultValue: t(`endpointSettings.fields.${params['field']}`, { defaultValue: params['field'] } as MessageParams) } as MessageParams);
  if (typeof params['fields'] === 'string') {
    out['fields'] = params['fields']
      .split(',')
      .filter(Boolean)
      .map((name) => t(`endpointSettings.fields.${name}`, { defaultValue: t(`profileFields.${name}`, { defaultValue: name } as MessageParams) } as MessageParams))
      .join(t('common.listSeparator'));
  }
  if (params['reason'] !== undefined) out['reason'] = localizeReason(t, params['reason'], out);
  return out;
}

/** An error (code + params) in the reader's language. */
export function localizeError(t: Translate, error: { code: string; params?: MessageParams }): string {
  return t(`errors.${error.code}`, localizeParams(t, error.params));
}
