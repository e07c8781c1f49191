// The after-hours auto-reply: which of the queue's messages fits the customer's language, and the
// next opening written in that language and the queue's time zone. Pure.

/** Where the admin's message takes the next opening time; without it the time is added on its own line. */
export const OPENS_AT_PLACEHOLDER = '{{opensAt}}';

const OPENS_AGAIN: Record<string, string> = { en: 'We open again', th: 'เปิดทำการอีกครั้ง' };

/**
 * The message for `locale`: the exact language tag, then its base language (th-TH → th), then
 * English, then the first message given. Undefined only for an empty map.
 */
export function pickLocalized(messages: Record<string, string>, locale: string | null): { locale: string; text: string } | undefined {
  const keys = Object.keys(messages);
  const wanted = (locale ?? 'en').replace('_', '-').toLowerCase();
  const key =
    keys.find((k) => k.toLowerCase() === wanted) ??
    keys.find((k) => k.toLowerCase() === wanted.split('-')[0]) ??
    keys.find((k) => k.toLowerCase() === 'en') ??
    keys[0];
  return key === undefined ? undefined : { locale: key, text: messages[key]! };
}

/** "Monday, January 5 at 9:00 AM GMT+7" / "วันจันทร์ที่ 5 มกราคม เวลา 9:00 GMT+7", in the queue's zone. */
export function formatOpening(at: number, locale: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat(locale, options).format(at);
  } catch {
    return new Intl.DateTimeFormat('en', options).format(at); // a language tag Intl does not know
  }
}

/**
 * The auto-reply text: the customer's message with the next opening filled in. `opensAt` null (the
 * hours never open again) leaves the message as the admin wrote it, without a time.
 */
export function afterHoursReplyText(
  messages: Record<string, string>,
  customerLocale: string | null,
  opensAt: number | null,
  timeZone: string,
): string | undefined {
  const picked = pickLocalized(messages, customerLocale);
  if (!picked) return undefined;
  const when = opensAt === null ? '' : formatOpening(opensAt, picked.locale, timeZone);
  if (picked.text.includes(OPENS_AT_PLACEHOLDER)) return picked.text.split(OPENS_AT_PLACEHOLDER).join(when).trim();
  if (!when) return picked.text;
  const label = OPENS_AGAIN[picked.locale.split('-')[0]!.toLowerCase()];
  return `${picked.text}\n${label ? `${label}: ` : ''}${when}`;
}
