// A field's problems under it on the endpoint form, each with its fix.
import { useTranslation } from 'react-i18next';
import type { SettingsProblem } from '../../../../electron/shared/endpoint/endpoint-settings.js';

/** The problems of one field, each with its fix and, where the fix is a value, a button that applies it. */
export function FieldProblems({ problems, onApply }: { problems: SettingsProblem[]; onApply: (problem: SettingsProblem) => void }) {
  const { t } = useTranslation();
  if (problems.length === 0) return null;
  return (
    <ul className="field-problems">
      {problems.map((problem) => (
        <li key={problem.code} className={`field-problem field-problem-${problem.severity}`} data-testid={`problem-${problem.code}`}>
          <span>{t(`endpointProblems.${problem.code}`, problem.params)}</span>{' '}
          <span className="fix">
            {t('templateCheck.fix')} {t(`endpointFixes.${problem.code}`, problem.params)}
          </span>
          {problem.code === 'private-api-suffix' || problem.code === 'code-not-fpy' || problem.code === 'scheme-port-mismatch' ? (
            <button type="button" className="link-button" onClick={() => onApply(problem)}>
              {t('endpointSettings.applyFix')}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
