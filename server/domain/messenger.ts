// What Omnidesk keeps of a Facebook Messenger message besides its text (MessageMeta.messenger).

/** An attachment Meta announced (image, video, audio, file), and what became of it. */
export interface MessengerMedia {
  type: 'image' | 'video' | 'audio' | 'file';
  /** Where Meta's CDN holds it (payload.url). */
  url: string;
  /** pending until fetched; stored (see attachmentId); refused (not Meta's CDN, a type not taken, too large); failed (download failed). */
  state: 'pending' | 'stored' | 'refused' | 'failed';
  attachmentId?: string;
  reason?: string;
}

export interface MessengerMeta {
  /** The sender's page-scoped id (inbound). */
  psid?: string;
  /** The Facebook page written to. */
  pageId?: string;
  media?: MessengerMedia[];
  /** The payload of the quick reply the customer tapped. */
  quickReply?: { payload: string };
  /** A button the customer pressed (a postback): its title and payload. */
  postback?: { title: string; payload: string };
}
