// Mail that no person wrote just now: out-of-office answers, vacation responders, list and bulk
// mail. It is still imported, but never answered automatically (no acknowledgement, no loop).
// The headers are checked in the order of RFC 3834's advice, the subject last.
import { firstField, type HeaderFields } from './headers.js';

export type AutoReplyReason =
  'auto-submitted' | 'x-autoreply' | 'x-autorespond' | 'precedence' | 'x-auto-response-suppress' | 'vacation-subject' | 'list';

// Subjects that out-of-office answers start with: Outlook/Exchange ("Automatic reply:", "Out of
// Office:", Thai Outlook "ตอบกลับอัตโนมัติ:"), Lotus Notes ("Auto:"), and vacation responders
// whose owner wrote "Out of office" or "ไม่อยู่ที่สำนักงาน" as the whole subject. The phrase must
// end at a colon, a bracket or the end of the subject: "Out of office hours support?" is a question.
const VACATION_SUBJECT =
  /^\s*\[?\s*(?:out of (?:the )?office|automatic reply|auto[- ]?reply|auto[- ]?response|autoreply|auto|vacation reply|on vacation|abwesenheitsnotiz|réponse automatique|respuesta automática|ตอบกลับอัตโนมัติ|ข้อความตอบกลับอัตโนมัติ|ไม่อยู่ที่สำนักงาน)\s*(?:[:：\]]|$)/i;

const PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply', 'auto-reply']);

/** A header value without its comments and parameters, lower-cased ("auto-replied (vacation)" → "auto-replied"). */
const token = (value: string | null) =>
  (value ?? '')
    .replace(/\([^)]*\)/g, ' ')
    .split(';')[0]!
    .trim()
    .toLowerCase();

export function detectAutoReply(headers: HeaderFields, subject: string): { reason: AutoReplyReason } | null {
  const autoSubmitted = token(firstField(headers, 'auto-submitted'));
  if (autoSubmitted && autoSubmitted !== 'no') return { reason: 'auto-submitted' };
  if (headers.has('x-autoreply') && !/^(?:no|false)$/.test(token(firstField(headers, 'x-autoreply')))) return { reason: 'x-autoreply' };
  if (headers.has('x-autorespond')) return { reason: 'x-autorespond' };
  if (PRECEDENCE.has(token(firstField(headers, 'precedence')))) return { reason: 'precedence' };
  if (token(firstField(headers, 'x-auto-response-suppress'))) return { reason: 'x-auto-response-suppress' };
  if (VACATION_SUBJECT.test(subject)) return { reason: 'vacation-subject' };
  if (headers.has('list-id') || headers.has('list-unsubscribe')) return { reason: 'list' };
  return null;
}
