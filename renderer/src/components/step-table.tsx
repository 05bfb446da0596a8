import { useTranslation } from 'react-i18next';

/** One row of a checklist: a named step, its status, what was found and (for problems) the fix. */
export interface StepRow {
  key: string;
  label: string;
  status: 'pass' | 'warn' | 'fail' | 'skipped';
  detail: string;
  fix?: string;
  ms: number;
}

/** The checklist table shared by the station self-check and the connection preflight. */
export function StepTable({ rows, testId }: { rows: StepRow[]; testId?: string }) {
  const { t } = useTranslation();
  return (
    <table className="results" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t('selfCheck.columnStep')}</th>
          <th scope="col">{t('selfCheck.columnStatus')}</th>
          <th scope="col">{t('selfCheck.columnDetail')}</th>
          <th scope="col" className="num">
            {t('selfCheck.columnMs')}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <td>{row.label}</td>
            <td>
              <span className={`pill pill-${row.status}`}>{t(`selfCheck.status.${row.status}`)}</span>
            </td>
            <td>
              {row.detail}
              {row.fix && (
                <div className="fix">
                  <strong>{t('templateCheck.fix')}</strong> {row.fix}
                </div>
              )}
            </td>
            <td className="num">{row.ms}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
