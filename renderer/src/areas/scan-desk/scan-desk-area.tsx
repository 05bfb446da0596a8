// The Scan desk page: its stacks, notice, to-do order, actions and keys (hooks) put together with its panels and the bill list.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBridgeState } from '../../api/bridge-health.js';
import { useConfirm } from '../../components/confirm-dialog.js';
import { formatTime } from '../../components/date-text.js';
import { StationCountsLine } from '../../components/station-counts.js';
import { BillDetail } from './bill-detail.js';
import { BillList } from './bill-list.js';
import { CapturePanel, type StackSummary } from './capture-panel.js';
import { useNow } from './countdown.js';
import { DeskTodoBanner } from './desk-todo-banner.js';
import { handleDeskKey } from './desk-keys.js';
import { countRows, isOutOfOrder, listRows, needsPerson, orderRows, stateOfRow } from './desk-rows.js';
import { focusRow } from './focus-row.js';
import { OrphansDetail } from './orphans-detail.js';
import { PageViewer } from './page-viewer.js';
import { QueuePanel, type QueueStatus } from './queue-panel.js';
import { ReturnedPanel } from './returned-panel.js';
import { ScanUserControl } from './scan-user-control.js';
import { TakeInPanel } from './take-in-panel.js';
import { useDeskActions } from './use-desk-actions.js';
import { useDeskNotice } from './use-desk-notice.js';
import { useDeskStacks } from './use-desk-stacks.js';
import { useRowPlaces } from './use-row-places.js';
import { useTakeIn } from './use-take-in.js';
import { WatchPanel } from './watch-panel.js';

/** Scan desk: take scanned stacks in, see them split into bills with thumbnails, fix what is held. */
export function ScanDeskArea() {
  const { t } = useTranslation();
  const [selected, setSelected] = useState<string | null>(null);
  const { notice, setNotice, noticeRef, tell } = useDeskNotice();
  const { stacks, refresh } = useDeskStacks(setNotice);
  const { ask, dialog } = useConfirm();
  const [queue, setQueue] = useState<QueueStatus | null>(null);
  const uploads = new Map((queue?.bills ?? []).map((upload) => [upload.id, upload]));
  const now = useNow();
  const { places, sortAgain } = useRowPlaces();
  const [onlyMine, setOnlyMine] = useState(false);
  const bridge = useBridgeState();
  const stale = bridge.downSince !== null ? t('live.unknownSince', { at: formatTime(bridge.downSince) }) : null;

  const rows = orderRows(listRows(stacks, uploads), uploads, places);
  const shownRows = onlyMine ? rows.filter((row) => needsPerson(row, uploads) || row.key === selected) : rows;
  const needCount = rows.filter((row) => needsPerson(row, uploads)).length;
  const current = rows.find((row) => row.key === selected) ?? null;
  const jump = () => {
    const first = rows.find((row) => stateOfRow(row, uploads) === 'held') ?? rows.find((row) => needsPerson(row, uploads));
    if (!first) return;
    setSelected(first.key);
    focusRow(first.key);
  };
  const { progress, takeIn } = useTakeIn({ tell, refresh, onSelect: setSelected });
  // A scan's stack: the list reads it at once and the first bill that needs the clerk is selected (the result keeps the focus).
  const onStackMade = async (stackId: string) => {
    const fresh = await refresh(true);
    const first = fresh ? listRows(fresh, uploads).find((row) => row.stack.id === stackId && needsPerson(row, uploads)) : undefined;
    if (first) setSelected(first.key);
  };
  const summarize = (stackId: string): StackSummary | null => {
    const own = rows.filter((row) => row.stack.id === stackId);
    if (own.length === 0) return null;
    const need = own.filter((row) => needsPerson(row, uploads));
    return { bills: own.filter((row) => row.bill).length, need: need.length, firstKey: need[0]?.key ?? null };
  };
  const [viewing, setViewing] = useState<{ stackId: string; page: number; pages: number[] } | null>(null);
  const actions = useDeskActions({ stacks, rows, uploads, places, current, refresh, tell, setNotice, setSelected, setQueue, ask });
  const { pageAct, notCover, act, giveTargets, discardOrphans, giveOrphans, markOrphanCover, releaseReviewed, uploadAct } = actions;

  return (
    <>
      {dialog}
      {/* Who the bills taken in now are recorded as scanned by, and where: signed in and out here. */}
      <ScanUserControl />
      {rows.length > 0 && <DeskTodoBanner needCount={needCount} onJump={jump} />}
      {viewing && <PageViewer stackId={viewing.stackId} page={viewing.page} pages={viewing.pages} onPage={(page: number) => setViewing({ ...viewing, page })} title={t('scanDeskPage.pageTitle', { page: viewing.page, name: stacks.find((stack) => stack.id === viewing.stackId)?.name ?? '' })} onClose={() => setViewing(null)} />}
      <ReturnedPanel queue={queue} />
      <CapturePanel
        summarize={summarize}
        onStackMade={(stackId) => void onStackMade(stackId)}
        onJump={(key) => {
          setOnlyMine(false);
          setSelected(key);
          focusRow(key);
        }}
      />
      <WatchPanel onSpoolChanged={() => void refresh(true)} />
      <QueuePanel onStatus={setQueue} />
      <TakeInPanel progress={progress} onFiles={(files) => void takeIn(files)} notice={notice} noticeRef={noticeRef} />
      {rows.length === 0 ? (
        <p className="muted">{t('scanDeskPage.empty')}</p>
      ) : (
        <section className="results-layout" onKeyDown={(event) => handleDeskKey(event, { current, uploads, actions, tell })}>
          <BillList
            rows={shownRows}
            uploads={uploads}
            selected={selected}
            onSelect={setSelected}
            summary={
              <>
                {/* The station's counts as the status bar shows them (the same model, the same words). */}
                <StationCountsLine counts={queue?.station ?? countRows(rows, uploads)} testId="desk-summary" />
                {(queue?.station?.review ?? countRows(rows, uploads).review) > 0 && (
                  <button type="button" className="secondary small" data-testid="desk-release-reviewed" onClick={() => void releaseReviewed()}>
                    {t('billStatus.releaseAllReviewed')}
                  </button>
                )}
              </>
            }
            stale={stale}
            todo={{
              onlyMine,
              onOnlyMine: setOnlyMine,
              onSortAgain: isOutOfOrder(rows, uploads) ? sortAgain : null,
            }}
          />
          {current?.bill && <BillDetail key={current.key} row={current} upload={current.bill ? uploads.get(current.bill.id) : undefined} now={now} onView={(page) => setViewing({ stackId: current.stack.id, page, pages: current.bill ? current.bill.pages : current.stack.orphans })} onAct={act} onPageAct={pageAct} onNotCover={notCover} onUploadAct={(upload, action) => void uploadAct(upload, action)} />}
          {current && !current.bill && <OrphansDetail key={current.key} stack={current.stack} targets={giveTargets} onView={(page) => setViewing({ stackId: current.stack.id, page, pages: current.stack.orphans })} onDiscardOrphans={discardOrphans} onGiveOrphans={giveOrphans} onMarkOrphanCover={markOrphanCover} />}
        </section>
      )}
    </>
  );
}
