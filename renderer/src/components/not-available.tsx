import { useTranslation } from 'react-i18next';
import type { AreaId } from '../areas/areas.js';

/** The honest placeholder for an area whose engine has not shipped: what is coming, no fake data. */
export function NotAvailable({ area, titleKey = 'notAvailable.title' }: { area: AreaId; titleKey?: string }) {
  const { t } = useTranslation();
  const planned = t(`areas.${area}.planned`, { returnObjects: true, defaultValue: [] }) as unknown;
  return (
    <div className="not-available" data-testid="not-available">
      <h2>{t(titleKey)}</h2>
      <p>{t('notAvailable.body')}</p>
      {Array.isArray(planned) && planned.length > 0 && (
        <>
          <p className="planned-label">{t('notAvailable.planned')}</p>
          <ul>
            {planned.map((item) => (
              <li key={String(item)}>{String(item)}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
