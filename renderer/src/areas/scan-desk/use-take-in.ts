// Taking files in on the scan desk: dropped or picked files grouped into stacks, sent one by one with progress.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { maxStackUploadBytes } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { formatDateTime } from '../../components/date-text.js';
import { fileToBase64, safeUploadName } from '../../files.js';
import type { Stack } from './desk-rows.js';
import { describeIntakeResult, groupDroppedFiles } from './intake-result.js';
import type { Tell } from './use-desk-notice.js';

/** Which stack is being taken in, of how many (a type, not an interface: it is also the progress text's parameters). */
export type TakeInProgress = { name: string; file: number; files: number };

/** `takeIn` sends files as stacks, says each result, then selects the first bill that needs the clerk; `progress` while it runs. */
export function useTakeIn({ tell, refresh, onSelect }: { tell: Tell; refresh: () => Promise<Stack[] | null>; onSelect: (key: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [progress, setProgress] = useState<TakeInProgress | null>(null);

  const takeIn = async (files: File[]) => {
    let jumpTo: string | null = null;
    // Several page images dropped together are one stack; each PDF or TIFF is its own.
    const groups = groupDroppedFiles(files);
    for (const [index, group] of groups.entries()) {
      const name = group.length === 1 ? (group[0] as File).name : `${(group[0] as File).name} … ${(group.at(-1) as File).name}`;
      setProgress({ name, file: index + 1, files: groups.length });
      const tooLarge = group.find((file) => file.size > maxStackUploadBytes);
      if (tooLarge) {
        tell('fail', (t) => t('errors.file-too-large', { name: tooLarge.name, size: `${Math.round(tooLarge.size / 1e6)} MB`, limit: `${maxStackUploadBytes / 1e6} MB` }));
        continue;
      }
      const result =
        group.length === 1
          ? await api.scanDesk.import({ name: safeUploadName((group[0] as File).name), dataBase64: await fileToBase64(group[0] as File) })
          : await api.scanDesk.importPages({ files: await Promise.all(group.map(async (file) => ({ name: safeUploadName(file.name), dataBase64: await fileToBase64(file) }))) });
      if (!result.ok) {
        tell('fail', (t) => describeError(t, result.error));
        continue;
      }
      const outcome = result.value;
      const said = describeIntakeResult(t, name, outcome, (iso) => formatDateTime(iso));
      tell(said.tone, (t) => describeIntakeResult(t, name, outcome, (iso) => formatDateTime(iso)).text);
      jumpTo ??= said.jumpTo;
    }
    setProgress(null);
    await refresh();
    // The first bill that needs the clerk is where the eye goes next.
    if (jumpTo) onSelect(jumpTo);
  };
  return { progress, takeIn };
}
