// The ERP's 影像状态 (image state) as a coloured badge, on a code's card and in the recent-bills table.
import { useTranslation } from 'react-i18next';
import { describeImageState } from '../../../../electron/shared/diagnose/trace-text.js';
import { erpImageStateNames, isErpImageState } from '../../../../electron/shared/imaging/erp-image-state.js';

/** The ERP's 影像状态 in a colour: ready green; on its way amber; nothing, returned red; voided grey. */
const imageStateTone: Record<string, 'pass' | 'warn' | 'fail' | 'skipped'> = { '0': 'fail', '1': 'warn', '2': 'pass', '3': 'fail', '4': 'warn', '5': 'skipped' };

/** The ERP's 影像状态 as a large coloured badge with the ERP's own name (the English page adds a gloss). */
export function ImageStateBadge({ code, testId, compact = false }: { code: string; testId?: string; compact?: boolean }) {
  const { t } = useTranslation();
  if (!isErpImageState(code)) return null;
  // In a table row only the ERP's name; the gloss and the column's name are in the tooltip.
  return (
    <span className={`erp-badge pill-${imageStateTone[code] ?? 'skipped'}${compact ? ' erp-badge-compact' : ''}`} data-state={code} data-testid={testId} title={t('troubleshoot.erp.badge', { name: describeImageState(t, code) })}>
      {compact ? erpImageStateNames[code] : t('troubleshoot.erp.badge', { name: describeImageState(t, code) })}
    </span>
  );
}
