// The support ticket: the traced codes' answers copied as text, or shown to copy by hand when the clipboard refuses.
import { useTranslation } from 'react-i18next';
import type { Lookup, LookupState } from './use-lookup.js';

/** "Copy for a ticket" with what became of it, and the ticket's text once made. */
export function TicketActions({ result, lookup }: { result: Lookup; lookup: LookupState }) {
  const { t } = useTranslation();
  const { copied, ticket, copyTicket } = lookup;
  return (
    <>
      {result.traces.length > 0 && (
        <div className="actions">
          <button type="button" className="secondary" data-testid="copy-ticket" onClick={() => void copyTicket()}>
            {t('troubleshoot.copyTicket')}
          </button>
          {copied && (
            <span className={copied === 'copied' ? 'saved' : 'status-fail'} role="status" data-testid="ticket-state">
              {' '}
              {t(copied === 'copied' ? 'troubleshoot.ticketCopied' : 'troubleshoot.copyFailed')}
            </span>
          )}
        </div>
      )}
      {ticket && <textarea className="report" readOnly rows={8} value={ticket} data-testid="ticket-text" aria-label={t('troubleshoot.copyTicket')} />}
    </>
  );
}
