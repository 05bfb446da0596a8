import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Request {
  title: string;
  body: string;
  confirm: string;
  resolve: (ok: boolean) => void;
}

/**
 * A modal "are you sure?" built on <dialog> (focus trapped, Esc cancels, focus returns to the
 * button that asked). Returns the dialog element and an `ask` that resolves to the answer.
 */
export function useConfirm(): { ask: (options: { title: string; body: string; confirm: string }) => Promise<boolean>; dialog: ReactNode } {
  const { t } = useTranslation();
  const [request, setRequest] = useState<Request | null>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  const ask = useCallback(
    (options: { title: string; body: string; confirm: string }) =>
      new Promise<boolean>((resolve) => {
        returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        setRequest({ ...options, resolve });
      }),
    [],
  );

  useEffect(() => {
    const dialog = dialogRef.current;
    if (request && dialog && !dialog.open) dialog.showModal();
  }, [request]);

  const answer = (ok: boolean) => {
    request?.resolve(ok);
    setRequest(null);
    dialogRef.current?.close();
    returnFocus.current?.focus();
  };

  const dialog = request ? (
    <dialog
      ref={dialogRef}
      className="confirm-dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      data-testid="confirm-dialog"
      onCancel={(event) => {
        event.preventDefault();
        answer(false);
      }}
    >
      <h2 id="confirm-title">{request.title}</h2>
      <p id="confirm-body">{request.body}</p>
      <div className="actions">
        {/* The safe choice has focus, so Enter never discards work by accident. */}
        <button type="button" autoFocus onClick={() => answer(false)} data-testid="confirm-cancel">
          {t('common.cancel')}
        </button>
        <button type="button" className="danger" onClick={() => answer(true)} data-testid="confirm-ok">
          {request.confirm}
        </button>
      </div>
    </dialog>
  ) : null;
  return { ask, dialog };
}
