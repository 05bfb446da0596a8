/** The languages the UI and CLI speak, zh-CN first. */
export const languages = ['zh-CN', 'en'] as const;

/** A supported language tag. */
export type Language = (typeof languages)[number];

/** Picks zh-CN for any Chinese locale tag and English otherwise. */
export function pickLanguage(localeTag: string | undefined | null): Language {
  return localeTag && /^zh(\b|[-_])/i.test(localeTag) ? 'zh-CN' : 'en';
}
