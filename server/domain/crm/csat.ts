// Customer satisfaction (CSAT): after a conversation is resolved the customer is asked for a score
// from 1 to 5 on the same channel. Pure: how each channel asks, what counts as an answer.
import type { ChannelKind } from '../types.js';

export type CsatScore = 1 | 2 | 3 | 4 | 5;
export const isScore = (n: unknown): n is CsatScore => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 5;

/** How the answer comes back: buttons in the chat widget, a signed link in an email, or a reply. */
export type SurveyMode = 'inline' | 'link' | 'reply';
export type AnsweredVia = 'web_chat' | 'email_link' | 'reply';

export function surveyModeOf(kind: ChannelKind): SurveyMode | null {
  switch (kind) {
    case 'web_chat':
      return 'inline';
    case 'email':
      return 'link';
    case 'sms':
    case 'line':
    case 'messenger':
      return 'reply';
    default:
      return null; // voice and Slack: not surveyed
  }
}

export interface CsatSurvey {
  id: string;
  conversationId: string;
  channelAccountId: string;
  channelKind: ChannelKind;
  /** The agent the conversation was assigned to when it was resolved. */
  agentId: string | null;
  queueId: string | null;
  messageId: string | null;
  score: CsatScore | null;
  answeredVia: AnsweredVia | null;
  answerMessageId: string | null;
  sentAt: number;
  expiresAt: number;
  answeredAt: number | null;
}

export interface CsatSettings {
  channelAccountId: string;
  enabled: boolean;
  /** How long the survey waits for its answer. */
  replyWindowHours: number;
  /** The question instead of the default, per language. */
  questions: { en?: string; th?: string };
  updatedAt: number | null;
}

export const defaultCsatSettings = (channelAccountId: string): CsatSettings => ({
  channelAccountId,
  enabled: false,
  replyWindowHours: 24,
  questions: {},
  updatedAt: null,
});

/** What the survey message meta carries; `score` is filled in when the customer answers. */
export interface CsatMessageMeta {
  surveyId: string;
  mode: SurveyMode;
  score: CsatScore | null;
}

const THAI_DIGITS = '๐๑๒๓๔๕๖๗๘๙';

/**
 * The score a reply gives, when the reply is only that: "5", " 4 ", "๕" (Thai digit), "５", "5/5",
 * "3!" . Anything more ("5 stars but…", "15", "call me at 2") is an ordinary message.
 */
export function scoreOfReply(text: string): CsatScore | null {
  const m = /^\s*([0-9๐-๙０-９])\s*(?:\/\s*[5๕５])?\s*[.!]?\s*$/u.exec(text);
  if (!m) return null;
  const ch = m[1]!;
  const thai = THAI_DIGITS.indexOf(ch);
  const n = thai >= 0 ? thai : ch >= '０' && ch <= '９' ? ch.charCodeAt(0) - '０'.charCodeAt(0) : Number(ch);
  return isScore(n) ? n : null;
}

const QUESTION = {
  en: 'How would you rate the help you got today?',
  th: 'คุณพอใจกับการให้บริการครั้งนี้แค่ไหน',
};
const REPLY_HINT = {
  en: 'Reply with a number from 1 (poor) to 5 (excellent).',
  th: 'ตอบกลับด้วยตัวเลข 1 (ไม่พอใจ) ถึง 5 (พอใจมาก)',
};
const LINK_HINT = {
  en: 'Choose a score from 1 to 5 here:',
  th: 'ให้คะแนน 1 ถึง 5 ได้ที่ลิงก์นี้:',
};

export const surveyLanguage = (locale: string | null): 'en' | 'th' => (locale?.toLowerCase().startsWith('th') ? 'th' : 'en');

/** The survey's text: the question, and for replies and links how to answer. */
export function surveyText(mode: SurveyMode, locale: string | null, questions: CsatSettings['questions'], link?: string): string {
  const lang = surveyLanguage(locale);
  const question = questions[lang]?.trim() || QUESTION[lang];
  switch (mode) {
    case 'inline':
      return question;
    case 'reply':
      return `${question} ${REPLY_HINT[lang]}`;
    case 'link':
      return `${question}\n${LINK_HINT[lang]} ${link ?? ''}`.trim();
  }
}

/** The average of answered scores (two decimals), or null when none. */
export function averageScore(scores: number[]): number | null {
  if (scores.length === 0) return null;
  return Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100;
}
