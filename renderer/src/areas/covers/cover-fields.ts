// What a cover is made of: its printed fields, the QR code's layout, a bills CSV as imported, and which field a refusal points at.
import type { CoverRejection } from '../../../../electron/shared/cover-messages.js';
import type { ArgsOf, ValueOf } from '../../../../electron/shared/ipc-contract.js';

/** A cover's printed fields, as the preview and the generator take them. */
export type Fields = ArgsOf<'covers:preview'>['fields'];
/** The paper, the QR code's corner, size and error correction. */
export type Layout = ArgsOf<'covers:preview'>['layout'];
/** A bills CSV as core read it, with the file's name. */
export type Imported = ValueOf<'covers:importCsv'> & { name: string };

/** The single-cover form's fields, in the order shown. */
export const fieldKeys = ['code', 'billType', 'billNo', 'company', 'submitter', 'department', 'date', 'amount'] as const;

/** One of the single-cover form's fields. */
export type FieldKey = (typeof fieldKeys)[number];

/** Which form field a refused cover points at, so the mark lands on that field. */
export function fieldOfProblem(problem: CoverRejection): FieldKey | null {
  switch (problem.reason) {
    case 'missing-code':
    case 'invalid-code':
    case 'duplicate-code':
      return 'code';
    case 'invalid-amount':
      return 'amount';
    case 'invalid-date':
      return 'date';
    case 'field-too-long':
      return (fieldKeys as readonly string[]).includes(String(problem['field'])) ? (problem['field'] as FieldKey) : null;
    default:
      return null;
  }
}
