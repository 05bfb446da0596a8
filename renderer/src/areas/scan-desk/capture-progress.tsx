// A scan as it runs: "page 7 received", a bar that moves with no end known, the last pages with their covers marked, the split so far.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { describeProgress, describeSplit, type CaptureJob } from './capture-text.js';

/** The running job's progress: the live line, the indeterminate bar with the pages so far, the last thumbnails, the bills so far. */
export function CaptureProgress({ job }: { job: CaptureJob }) {
  const { t } = useTranslation();
  const split = describeSplit(t, job.bills);
  const thumbs = useRef<HTMLOListElement>(null);
  const newest = job.recent.at(-1)?.page;
  // The newest page is the one to see: the strip keeps its end in view as pages come.
  useEffect(() => {
    const strip = thumbs.current;
    if (strip) strip.scrollLeft = strip.scrollWidth;
  }, [newest]);
  return (
    <div className="capture-progress" data-testid="capture-progress" data-phase={job.phase} data-pages={job.pages}>
      <p className="capture-live" role="status" aria-live="polite" data-testid="capture-live">
        {describeProgress(t, job)}
      </p>
      {/* The feeder's stack has no known end: the bar moves without a total, the count beside it. */}
      <div className="progress-row">
        <div className="progress progress-indeterminate" role="progressbar" aria-label={t('capture.progressLabel')} aria-valuetext={t('capture.pagesSoFar', { pages: job.pages })} />
        <span className="progress-text" data-testid="capture-pages">
          {t('capture.pagesSoFar', { pages: job.pages })}
        </span>
      </div>
      <div className="capture-live-body">
        {job.recent.length > 0 && (
          <ol ref={thumbs} className="capture-thumbs" aria-label={t('capture.recent')} data-testid="capture-thumbs">
            {job.recent.map((page) => (
              <li key={page.page} className={`capture-thumb capture-thumb-${page.kind}`} data-page={page.page} data-kind={page.kind}>
                <img src={page.thumbPng} alt={t('capture.pageAlt', { page: page.page })} />
                <span className="capture-thumb-label">{page.page}</span>
                {page.kind === 'cover' && page.code && (
                  <span className="capture-cover-mark" data-testid="capture-cover-mark">
                    {t('capture.coverMark', { code: page.code })}
                  </span>
                )}
              </li>
            ))}
          </ol>
        )}
        {split.length > 0 && (
          <div className="capture-split">
            <h3>{t('capture.split')}</h3>
            <ul data-testid="capture-split">
              {split.map((line, index) => (
                <li key={`${index}-${line}`} className="mono">
                  {line}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}
