// The single cover's live preview: asked of core as the clerk types (debounced), and the form field a refusal points at.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localizeCoverRejection, type CoverRejection } from '../../../../electron/shared/cover-messages.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { fieldOfProblem, type FieldKey, type Fields, type Layout } from './cover-fields.js';

/** The preview as core answered it: a picture (with the fields it had to cut), a refusal, or an error's words. */
export type CoverPreview = { png?: string; cut?: string[]; problem?: CoverRejection; message?: string };

/** The preview of `fields` in `layout`, the field a refusal points at, and each field's error. */
export function useCoverPreview(fields: Fields, layout: Layout) {
  const { t } = useTranslation();
  const api = useApi();
  const [preview, setPreview] = useState<CoverPreview>({});

  // Live preview, debounced so typing stays smooth; core's own check decides what is valid.
  useEffect(() => {
    if (!fields.code.trim()) return;
    const timer = setTimeout(() => {
      void api.covers.preview({ fields, layout }).then((result) => {
        if (!result.ok) setPreview({ message: describeError(t, result.error) });
        else if ('png' in result.value) setPreview({ png: result.value.png, cut: result.value.cut });
        else setPreview({ problem: result.value.problem as CoverRejection });
      });
    }, 300);
    return () => clearTimeout(timer);
  }, [api, fields, layout, t]);

  const problemField = preview.problem ? fieldOfProblem(preview.problem) : null;
  const fieldError = (key: FieldKey): string | null => {
    if (key === 'code' && !fields.code.trim()) return t('fields.required');
    return preview.problem && problemField === key ? localizeCoverRejection(t, preview.problem) : null;
  };
  return { preview, problemField, fieldError };
}
