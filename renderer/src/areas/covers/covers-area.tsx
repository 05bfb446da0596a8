// The Covers page: the single cover's form beside its preview, and the CSV batch below.
import { useState } from 'react';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { CoverBatchPanel } from './cover-batch-panel.js';
import type { Fields, Imported, Layout } from './cover-fields.js';
import { CoverForm } from './cover-form.js';
import { CoverPreviewPanel } from './cover-preview-panel.js';
import { useCoverJobs } from './use-cover-jobs.js';
import { useCoverPreview } from './use-cover-preview.js';

/** Covers: one cover from a form with a live preview, or a batch from a bills CSV; self-checked PDFs. */
export function CoversArea({ runtime }: { runtime: ValueOf<'app:info'>['runtime'] | null }) {
  const [fields, setFields] = useState<Fields>({ code: '', billType: '费用报销单' });
  const [layout, setLayout] = useState<Layout>({ paper: 'a4', corner: 'top-right', sizeMm: 22, ecLevel: 'M' });
  const [imported, setImported] = useState<Imported | null>(null);
  const jobs = useCoverJobs({ runtime, layout, imported });
  const checked = useCoverPreview(fields, layout);

  return (
    <>
      <section className="covers-layout">
        <CoverForm fields={fields} setFields={setFields} layout={layout} setLayout={setLayout} checked={checked} jobs={jobs} runtime={runtime} />
        <CoverPreviewPanel fields={fields} preview={checked.preview} />
      </section>
      <CoverBatchPanel imported={imported} setImported={setImported} jobs={jobs} runtime={runtime} />
    </>
  );
}
