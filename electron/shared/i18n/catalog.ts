import i18next, { type i18n } from 'i18next';
import { en } from './en.js';
import type { Language } from './languages.js';
import { zhCN } from './zh-cn.js';

export { languages, pickLanguage, type Language } from './languages.js';

/** i18next resources built from the catalogues, shared by renderer and CLI. */
export const i18nResources = {
  'zh-CN': { translation: zhCN },
  en: { translation: en },
} as const;

/** Creates a synchronously initialised i18next instance (for Node: CLI, core messages). */
export function createTranslator(language: Language): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    lng: language,
    fallbackLng: 'en',
    resources: i18nResources,
    initAsync: false,
    // Output goes to terminals and React (which escapes), never into raw HTML.
    interpolation: { escapeValue: false },
  });
  return instance;
}
