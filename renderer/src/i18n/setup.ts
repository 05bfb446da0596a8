import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { i18nResources } from '../../../electron/shared/i18n/catalog.js';
import type { Language } from '../../../electron/shared/i18n/languages.js';

/** Initialises the renderer's i18next with the shared catalogues (zh-CN first). */
export function setupI18n(language: Language): typeof i18next {
  void i18next.use(initReactI18next).init({
    lng: language,
    fallbackLng: 'en',
    resources: i18nResources,
    initAsync: false,
    // React escapes every interpolated value itself.
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = language;
  return i18next;
}

/** Switches the UI language and the document's lang attribute. */
export async function switchLanguage(language: Language): Promise<void> {
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
