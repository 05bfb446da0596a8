// The day's to-do at the top of the scan desk: how many bills wait for the clerk, and the way to the first.
import { useTranslation } from 'react-i18next';

/** The to-do line: bills that need the clerk (amber, with a button to the first) or nothing needed (green). */
export function DeskTodoBanner({ needCount, onJump }: { needCount: number; onJump: () => void }) {
  const { t } = useTranslation();
  return (
    <p className={`banner ${needCount > 0 ? 'banner-warn' : 'banner-pass'} todo-banner`} data-testid="desk-todo">
      <span data-testid="desk-need-count">{needCount > 0 ? t('deskTodo.needYou', { count: needCount }) : t('deskTodo.nothingNeeded')}</span>
      {needCount > 0 && (
        <button type="button" className="primary" data-testid="desk-jump" onClick={onJump}>
          {t('deskTodo.jump')}
        </button>
      )}
    </p>
  );
}
