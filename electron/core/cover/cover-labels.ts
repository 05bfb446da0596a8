import { en } from '../../shared/i18n/en.js';
import { zhCN } from '../../shared/i18n/zh-cn.js';
import type { CoverLabels } from './cover-writer.js';

/** Printed covers are read by clerks and auditors alike: every label in Chinese, then English. */
export function bilingualCoverLabels(): CoverLabels {
  const labels = {} as CoverLabels;
  for (const key of Object.keys(zhCN.coverPrint) as Array<keyof CoverLabels>) labels[key] = `${zhCN.coverPrint[key]} ${en.coverPrint[key]}`;
  return labels;
}
