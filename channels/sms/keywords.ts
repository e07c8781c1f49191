// The compliance keywords carriers and Twilio recognise, and the default answers to them (Thai and
// English in one message: an SMS customer's language is usually not known).
import type { SmsKeywordAction } from '../../server/domain/sms.js';

const KEYWORDS = new Map<string, SmsKeywordAction>([
  ['STOP', 'opt_out'],
  ['STOPALL', 'opt_out'],
  ['UNSUBSCRIBE', 'opt_out'],
  ['CANCEL', 'opt_out'],
  ['END', 'opt_out'],
  ['QUIT', 'opt_out'],
  ['START', 'opt_in'],
  ['YES', 'opt_in'],
  ['UNSTOP', 'opt_in'],
  ['HELP', 'help'],
  ['INFO', 'help'],
]);

/** The keyword a message is, when its whole text is one (any case, trailing punctuation ignored), as Twilio reads them. */
export function smsKeyword(body: string): { word: string; action: SmsKeywordAction } | null {
  const word = body
    .trim()
    .replace(/[.!?]+$/u, '')
    .trim()
    .toUpperCase();
  const action = KEYWORDS.get(word);
  return action ? { word, action } : null;
}

export const DEFAULT_KEYWORD_REPLIES: Record<SmsKeywordAction, string> = {
  help: [
    'ตอบกลับข้อความนี้เพื่อคุยกับทีมงานของเรา พิมพ์ STOP เพื่อหยุดรับข้อความ หรือ START เพื่อรับอีกครั้ง',
    'Reply to this message to reach our team. Reply STOP to stop messages, START to get them again.',
  ].join('\n'),
  opt_out: [
    'คุณยกเลิกการรับข้อความจากหมายเลขนี้แล้ว พิมพ์ START เพื่อรับข้อความอีกครั้ง',
    'You are unsubscribed and will get no more messages from this number. Reply START to resubscribe.',
  ].join('\n'),
  opt_in: ['คุณจะได้รับข้อความจากหมายเลขนี้อีกครั้ง พิมพ์ STOP เพื่อหยุดรับ', 'You are subscribed again. Reply STOP to unsubscribe.'].join('\n'),
};
