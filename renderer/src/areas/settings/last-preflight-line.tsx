// The last connection check's result, under the endpoint form.
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../components/date-text.js';
import type { EndpointView } from './use-endpoint-settings.js';

/** When the connection was last checked and how it went (or that it never was, or that the settings changed since). */
export function LastPreflightLine({ last }: { last: EndpointView['lastPreflight'] }) {
  const { t, i18n } = useTranslation();
  return (
    <p className="muted" data-testid="endpoint-last-preflight">
      {last === null
        ? t('cli.config.lastNone')
        : t(last.stale ? 'cli.config.lastStale' : last.ok ? 'cli.config.lastOk' : 'cli.config.lastFailed', { at: formatDateTime(last.at, i18n.language), steps: last.failed.map((id) => t(`preflight.steps.${id}`)).join(', ') })}
    </p>
  );
}
