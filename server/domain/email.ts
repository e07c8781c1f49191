// What Omnidesk keeps of an email besides its content, and the pure rule that threads a reply.
import type { Conversation } from './types.js';
import type { CallRecord } from './voice.js';
import type { SmsMeta } from './sms.js';
import type { LineMeta } from './line.js';
import type { MessengerMeta } from './messenger.js';
import type { SlackMeta } from './slack.js';
import type { CampaignMessageMeta } from './crm/campaign.js';
import type { CsatMessageMeta } from './crm/csat.js';

export interface EmailAddress {
  address: string;
  name: string | null;
}

/** Kept on a message that came or went by email (messages.meta). */
export interface EmailMeta {
  messageId: string | null;
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  replyTo: EmailAddress[];
  subject: string;
  /** The quoted history and signature folded away from the new text (shown collapsed). */
  quoted: string | null;
}

/** What else a message carries, by channel. */
export interface MessageMeta {
  email?: EmailMeta;
  /** An automatic message (out-of-office, vacation, list mail): never answered automatically. */
  autoReply?: string;
  /** A delivery failure report about one of our messages. */
  bounce?: { originalMessageId: string | null; failedRecipients: string[]; status: string | null; diagnostic: string | null };
  /** A phone call's record: IVR path, queue wait, talk time, outcome (see domain/voice.ts). */
  call?: CallRecord;
  /** An SMS/MMS: numbers, MMS media and what became of it, compliance keywords (see domain/sms.ts). */
  sms?: SmsMeta;
  /** A LINE message: sender, reply token, fetched content, sticker, location, postback (see domain/line.ts). */
  line?: LineMeta;
  /** A Messenger message: sender's PSID, page, attachments and what became of them, quick reply, postback (see domain/messenger.ts). */
  messenger?: MessengerMeta;
  /** A reply an agent wrote in a Slack thread (see domain/slack.ts). */
  slack?: SlackMeta;
  /** A campaign's message (see domain/crm/campaign.ts). */
  campaign?: CampaignMessageMeta;
  /** A satisfaction survey, with the score once answered (see domain/crm/csat.ts). */
  csat?: CsatMessageMeta;
}

/**
 * The conversation a reply continues: the first candidate (In-Reply-To, then References, then the
 * subject's ticket reference) whose customer sent it or on which the sender was Cc'd. A mail that
 * points at someone else's conversation (a forged or leaked Message-ID) starts a new one instead.
 */
export function chooseEmailThread(
  candidates: Conversation[],
  customerId: string,
  senderIsParticipant: (conversationId: string) => boolean,
): Conversation | null {
  return candidates.find((c) => c.customerId === customerId || senderIsParticipant(c.id)) ?? null;
}
