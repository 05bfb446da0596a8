import i18next from 'i18next';

/**
 * A date and time as the app's language writes it (never the browser's: an en-US browser must
 * not show "5:06:32 AM" in the Chinese UI). `language` defaults to the one the UI shows now.
 */
export function formatDateTime(at: string | number | Date, language: string = i18next.language): string {
  return new Date(at).toLocaleString(localeOf(language));
}

/** A time of day (hours and minutes, seconds when asked) in the app's language. */
export function formatTime(at: string | number | Date, language: string = i18next.language, options: { seconds?: boolean } = {}): string {
  return new Date(at).toLocaleTimeString(localeOf(language), { hour: '2-digit', minute: '2-digit', ...(options.seconds ? { second: '2-digit' } : {}), hour12: false });
}

/** A calendar date in the app's language. */
export function formatDate(at: string | number | Date, language: string = i18next.language): string {
  return new Date(at).toLocaleDateString(localeOf(language));
}

/** The locale the app's language stands for. */
function localeOf(language: string): string {
  return language === 'en' ? 'en-US' : language || 'zh-CN';
}
