import type { Locale } from '../i18n';

/** A date and time in the UI language (Thai dates in the Buddhist era, as Thai readers expect). */
export const when = (t: number, locale: Locale) =>
  new Intl.DateTimeFormat(locale === 'th' ? 'th-TH' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(t);

export const day = (t: number, locale: Locale) =>
  new Intl.DateTimeFormat(locale === 'th' ? 'th-TH' : 'en-GB', { dateStyle: 'medium' }).format(t);

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
