// The single cover's preview panel: the picture core drew, or why there is none.
import { useTranslation } from 'react-i18next';
import { localizeCoverRejection } from '../../../../electron/shared/cover-messages.js';
import type { Fields } from './cover-fields.js';
import type { CoverPreview } from './use-cover-preview.js';

/** The preview beside the form: "enter a code", the refusal in red, the picture, or loading. */
export function CoverPreviewPanel({ fields, preview }: { fields: Fields; preview: CoverPreview }) {
  const { t } = useTranslation();
  return (
    <div className="panel preview-panel">
      <h2>{t('coversPage.preview')}</h2>
      {!fields.code.trim() ? (
        <p className="muted" data-testid="cover-preview-message">
          {t('coversPage.needCode')}
        </p>
      ) : preview.problem ? (
        <p className="banner banner-fail" data-testid="cover-preview-message">
          {localizeCoverRejection(t, preview.problem)}
        </p>
      ) : preview.png ? (
        <img src={preview.png} alt={t('coversPage.previewAlt')} data-testid="cover-preview" />
      ) : (
        <p className="muted" data-testid="cover-preview-message">
          {preview.message ?? t('app.loading')}
        </p>
      )}
    </div>
  );
}
