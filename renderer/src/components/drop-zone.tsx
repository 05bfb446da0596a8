import { useRef, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';

/** Scans and templates the app reads: picked or dropped files of these types. */
export const scanFileTypes = '.pdf,.tif,.tiff,.jpg,.jpeg,.png';

/**
 * The drop zone for files: drag them in or pick them, both hand the files to `onFiles`; refuses
 * new files while `busy`. `pickRef` reaches the pick button, where focus returns after a job.
 */
export function DropZone({ text, busy, onFiles, testId, inputTestId, pickRef }: { text: string; busy: boolean; onFiles: (files: File[]) => void; testId: string; inputTestId: string; pickRef?: Ref<HTMLButtonElement> }) {
  const { t } = useTranslation();
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <div
      className={`drop-zone${dragging ? ' dragging' : ''}`}
      data-testid={testId}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        if (!busy) onFiles(Array.from(event.dataTransfer.files));
      }}
    >
      <p>{text}</p>
      <button ref={pickRef} type="button" className="primary" onClick={() => inputRef.current?.click()} disabled={busy} data-testid={`${testId}-pick`}>
        {t('templateCheck.pick')}
      </button>
      <input
        ref={inputRef}
        type="file"
        accept={scanFileTypes}
        multiple
        hidden
        data-testid={inputTestId}
        onChange={(event) => {
          const files = Array.from(event.currentTarget.files ?? []);
          event.currentTarget.value = '';
          onFiles(files);
        }}
      />
    </div>
  );
}
