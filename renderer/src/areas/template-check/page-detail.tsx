// One result's detail: a page's verdict, its annotated picture, the codes found and each problem with its fix; or why a file could not be read.
import { useTranslation } from 'react-i18next';
import { localizeProblem } from '../../../../electron/shared/check-messages.js';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import { describeError } from '../../api/error-text.js';
import type { CheckRow } from './check-rows.js';

/** The selected row in full, beside the results list. */
export function PageDetail({ row }: { row: CheckRow }) {
  const { dpi } = row;
  const { t } = useTranslation();
  if (!row.page) {
    return (
      <div className="panel detail" data-testid="page-detail">
        <h2>{row.file}</h2>
        <p className="banner banner-fail" role="alert">
          {row.error ? describeError(t, row.error as AppErrorInfo) : ''}
        </p>
      </div>
    );
  }
  const { page } = row;
  return (
    <div className="panel detail" data-testid="page-detail">
      <h2>
        <bdi>{row.file}</bdi> · {t('templateCheck.pageLabel', { page: page.page })}
      </h2>
      <p className={`banner banner-${page.verdict === 'ok' ? 'pass' : page.verdict}`} data-testid="page-verdict">
        {t(`check.verdict.${page.verdict}`)}
      </p>
      <div className="detail-body">
        {page.annotatedPng && (
          <figure className="annotated">
            <img src={page.annotatedPng} alt={t('templateCheck.annotated')} data-testid="annotated-image" />
            <figcaption className="muted">{t('templateCheck.annotated')}</figcaption>
          </figure>
        )}
        <div className="findings">
          <h3>{t('templateCheck.codes')}</h3>
          {page.codes.length === 0 ? (
            <p className="muted">{t('templateCheck.noCodes')}</p>
          ) : (
            <ul className="codes">
              {page.codes.map((code, index) => (
                <li key={index}>
                  <code className="mono">{code.value.length > 80 ? `${code.value.slice(0, 80)}…` : code.value}</code> · {t(`check.kinds.${code.kind}`)} · {t(`check.corners.${code.corner}`)}
                  <div className="muted">{t('templateCheck.size', { w: code.box.w, h: code.box.h, moduleMm: code.moduleMm, modulePx: code.modulePx, dpi, quiet: code.quietZoneModules >= 10 ? '≥ 10' : code.quietZoneModules })}</div>
                </li>
              ))}
            </ul>
          )}
          <h3>{t('templateCheck.problems')}</h3>
          {page.problems.length === 0 && <p className="muted">{t('templateCheck.noProblems')}</p>}
          <ul className="problems" data-testid="problems">
            {page.problems.map((problem, index) => {
              const { message, fix } = localizeProblem(t, problem);
              return (
                <li key={index} className={`problem problem-${problem.severity}`}>
                  <span className={`pill pill-${problem.severity}`}>{t(`check.verdict.${problem.severity}`)}</span> {message}
                  <div className="fix">
                    <strong>{t('templateCheck.fix')}</strong> {fix}
                  </div>
                </li>
              );
            })}
          </ul>
        </div>
      </div>
    </div>
  );
}
