// The after-hours auto-reply text (pure): the customer's language with fallbacks, and the next
// opening written in that language and the queue's time zone.
import { describe, expect, test } from 'vitest';
import { afterHoursReplyText, formatOpening, pickLocalized } from '../server/domain/routing/after-hours.js';

const OPENS = Date.UTC(2026, 0, 5, 2, 0); // Monday 09:00 in Bangkok
const messages = { en: 'We are closed.', th: 'ขณะนี้อยู่นอกเวลาทำการค่ะ' };

describe('pickLocalized', () => {
  test.each([
    ['the exact language', messages, 'th', 'th'],
    ['a regional tag falls back to its language', messages, 'th-TH', 'th'],
    ['an underscore tag too', messages, 'th_TH', 'th'],
    ['no locale: English', messages, null, 'en'],
    ['an unknown language: English', messages, 'ja', 'en'],
    ['no English: the first message', { th: 'ปิด', lo: 'ປິດ' }, 'ja', 'th'],
  ])('%s', (_name, map, locale, expected) => expect(pickLocalized(map, locale)?.locale).toBe(expected));

  test('an empty map has nothing to say', () => expect(pickLocalized({}, 'th')).toBeUndefined());
});

describe('afterHoursReplyText', () => {
  test.each([
    [
      'Thai, time appended with a Thai label',
      messages,
      'th',
      `ขณะนี้อยู่นอกเวลาทำการค่ะ\nเปิดทำการอีกครั้ง: ${formatOpening(OPENS, 'th', 'Asia/Bangkok')}`,
    ],
    ['English', messages, 'en', `We are closed.\nWe open again: ${formatOpening(OPENS, 'en', 'Asia/Bangkok')}`],
    [
      'a placeholder is filled in place',
      { en: 'Back {{opensAt}}, promise.' },
      'en',
      `Back ${formatOpening(OPENS, 'en', 'Asia/Bangkok')}, promise.`,
    ],
  ])('%s', (_name, map, locale, expected) => expect(afterHoursReplyText(map, locale, OPENS, 'Asia/Bangkok')).toBe(expected));

  test('hours that never open again: the message alone', () => {
    expect(afterHoursReplyText({ en: 'Closed until {{opensAt}}' }, 'en', null, 'UTC')).toBe('Closed until');
    expect(afterHoursReplyText(messages, 'en', null, 'UTC')).toBe('We are closed.');
  });

  test('the time is in the queue’s zone: 09:00 in Bangkok, 21:00 the evening before in New York', () => {
    expect(formatOpening(OPENS, 'en', 'Asia/Bangkok')).toMatch(/Monday, January 5.*9:00/);
    expect(formatOpening(OPENS, 'en', 'America/New_York')).toMatch(/Sunday, January 4.*9:00\sPM/);
    expect(formatOpening(OPENS, 'th', 'Asia/Bangkok')).toMatch(/จันทร์.*9:00/);
  });
});
