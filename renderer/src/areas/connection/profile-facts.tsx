// The endpoint profile as saved: its name, preset, address or folder, client id and secret, mode, and the settings' problems with fixes.
import { useTranslation } from 'react-i18next';
import { describeSecret, type EndpointView } from './preflight-text.js';

/** The profile's facts, the training note, and each settings problem with its fix. */
export function ProfileFacts({ info }: { info: EndpointView }) {
  const { t } = useTranslation();
  return (
    <>
      <dl className="facts">
        <dt>{t('connectionPage.profileName')}</dt>
        <dd>{info.settings.profileName}</dd>
        <dt>{t('connectionPage.preset')}</dt>
        <dd>{t(`connectionPage.presets.${info.settings.preset}`)}</dd>
        {info.settings.adapter === 'folder' ? (
          <>
            <dt>{t('endpointSettings.fields.folderPath')}</dt>
            <dd className="mono">{info.settings.folderPath}</dd>
          </>
        ) : (
          <>
            <dt>{t('connectionPage.apiAddress')}</dt>
            <dd className="mono" data-testid="connection-api-address">
              {info.settings.preset === 'local-training' ? (info.trainingAddress ?? t('connectionPage.trainingNotStarted')) : info.settings.apiAddress}
            </dd>
            <dt>{t('endpointSettings.fields.clientId')}</dt>
            <dd className="mono">
              {info.settings.clientId} · {describeSecret(t, info)}
            </dd>
          </>
        )}
        <dt>{t('connectionPage.mode')}</dt>
        <dd>{t(`connectionPage.modes.${info.settings.mode}`)}</dd>
      </dl>
      {info.settings.preset === 'local-training' && <p className="muted">{t('connectionPage.trainingNote')}</p>}
      {info.problems.length > 0 && (
        <>
          <h3>{t('connectionPage.settingsProblems')}</h3>
          <ul className="problems">
            {info.problems.map((problem) => (
              <li key={problem.code} className="problem">
                <span className={`pill ${problem.severity === 'error' ? 'pill-fail' : 'pill-warn'}`}>{problem.field}</span> {t(`endpointProblems.${problem.code}`, problem.params)}
                <div className="fix">
                  <strong>{t('templateCheck.fix')}</strong> {t(`endpointFixes.${problem.code}`, problem.params)}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
