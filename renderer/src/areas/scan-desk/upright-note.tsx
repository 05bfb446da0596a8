import { useTranslation } from 'react-i18next';

/** A bill whose cover was scanned upside down: says it is stored, shown and uploaded turned upright, and whether losslessly. */
export function UprightNote({ upright }: { upright: { lossless: boolean } | undefined }) {
  const { t } = useTranslation();
  if (!upright) return null;
  return (
    <p className="banner banner-info" role="note" data-testid="desk-upright" data-lossless={upright.lossless}>
      {t(upright.lossless ? 'scanDeskPage.upright.lossless' : 'scanDeskPage.upright.saved')}
    </p>
  );
}
