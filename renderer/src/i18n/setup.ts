import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { i18nResources } from '../../../electron/shared/i18n/catalog.js';
import { bidiIsolatingFormatter } from '../../../electron/shared/i18n/isolate-bidi.js';
import type { Language } from '../../../electron/shared/i18n/languages.js';

/** Initialises the renderer's i18next with the shared catalogues (zh-CN first). */
export function setupI18n(language: Language): typeof i18next {
  // Every quoted value (a server's reason, a file name) is fenced so its direction marks cannot
  // reverse the sentence around it.
  void i18next.use(initReactI18next).use(bidiIsolatingFormatter).init({
    lng: language,
    fallbackLng: 'en',
    resources: i18nResources,
    initAsync: false,
    // React escapes every interpolated value itself.
    interpolation: { escapeValue: false, alwaysFormat: true },
  });
  document.documentElement.lang = language;
  return i18next;
}

/** Switches the UI language and the document's lang attribute. */
export async function switchLanguage(language: Language): Promise<void> {
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
