// The Template check page: the drop panel with its fields on top, the results list beside the selected page's detail below.
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../components/confirm-dialog.js';
import { CheckDropPanel } from './check-drop-panel.js';
import { CheckResults } from './check-results.js';
import { useTemplateCheck } from './use-template-check.js';

/** Template check: drop templates or scans, see each page's verdict, annotated picture and fixes. */
export function TemplateCheckArea() {
  const { t } = useTranslation();
  const { ask, dialog } = useConfirm();
  const check = useTemplateCheck(ask);
  return (
    <>
      {dialog}
      <CheckDropPanel check={check} />
      {check.rows.length === 0 ? <p className="muted">{t('templateCheck.empty')}</p> : <CheckResults check={check} />}
    </>
  );
}
