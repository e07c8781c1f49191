// What Omnidesk keeps of a LINE message besides its text (MessageMeta.line).

/** Content LINE holds for an image, video, audio or file message, and what became of it. */
export interface LineContent {
  type: 'image' | 'video' | 'audio' | 'file';
  /** The file name a `file` message gave. */
  fileName?: string;
  /** pending until fetched from LINE's content API; stored (see attachmentId); refused (a type not taken, too large); failed. */
  state: 'pending' | 'stored' | 'refused' | 'failed';
  attachmentId?: string;
  reason?: string;
}

export interface LineMeta {
  /** The sender's LINE user id (inbound). */
  userId?: string;
  /** The webhook event this message came from (a redelivery carries the same id). */
  webhookEventId?: string;
  /**
   * The reply token of this event while unused and valid (single-use, valid about a minute): the next
   * reply to the conversation takes it (and removes it, noting `replyTokenUsedBy`); afterwards replies go by push.
   */
  replyToken?: string;
  replyTokenExpiresAt?: number;
  /** The outbound message that took this event's reply token. */
  replyTokenUsedBy?: string;
  content?: LineContent;
  sticker?: { packageId: string; stickerId: string; url: string };
  location?: { title: string | null; address: string | null; latitude: number; longitude: number };
  postback?: { data: string };
}
