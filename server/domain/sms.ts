// What Omnidesk keeps of an SMS or MMS besides its text (MessageMeta.sms).

/** One MMS media item as Twilio announced it, and what became of it. */
export interface SmsMedia {
  /** Where Twilio holds it (MediaUrl{i}). */
  url: string;
  /** The type Twilio declared (MediaContentType{i}); the stored file's type comes from its bytes. */
  declaredType: string;
  /** pending until fetched; stored (see attachmentId); refused (not a Twilio address, a type not taken, too large); failed (download failed). */
  state: 'pending' | 'stored' | 'refused' | 'failed';
  attachmentId?: string;
  reason?: string;
}

/** A compliance keyword: opt out (STOP…), opt back in (START…), or ask for help (HELP…). */
export type SmsKeywordAction = 'opt_out' | 'opt_in' | 'help';

export interface SmsMeta {
  /** The sender and the number written to, E.164 (inbound). */
  from?: string;
  to?: string;
  media?: SmsMedia[];
  /** The keyword this customer message was (as written, upper-cased) and what it does. */
  keyword?: { word: string; action: SmsKeywordAction };
  /** This automatic message answers a keyword: it may reach a customer who has just opted out (a STOP confirmation). */
  keywordReply?: SmsKeywordAction;
}
