// Links that let a provider fetch one attachment of ours without logging in (Twilio fetches the
// pictures of an MMS from a URL it is given). Each link names the channel account and the attachment,
// expires, and is signed with a key derived from SECRET_KEY; anything else gets "not found".
import { createHmac, timingSafeEqual } from 'node:crypto';
import { notFound } from '../domain/errors.js';
import type { Attachment, ChannelAccount } from '../domain/types.js';
import type { Deps } from './deps.js';

export interface PublicMediaOptions {
  /** SecretBox.derive('public-media'). */
  key: Buffer;
  /** PUBLIC_URL; without it no link can be made. */
  publicUrl: string | undefined;
  /** How long a link works (a provider may fetch a queued message's media late). */
  ttlMs: number;
}

export function makePublicMedia(deps: Pick<Deps, 'store' | 'now'>, options: PublicMediaOptions) {
  const sign = (accountId: string, attachmentId: string, expires: number) =>
    createHmac('sha256', options.key).update(`${accountId}\n${attachmentId}\n${expires}`).digest('base64url');

  return {
    /** A link to `attachment` for the provider of `account`, or undefined without PUBLIC_URL. */
    urlFor(account: ChannelAccount, attachment: Attachment): string | undefined {
      if (!options.publicUrl) return undefined;
      const expires = Math.ceil((deps.now() + options.ttlMs) / 1000);
      const signature = sign(account.id, attachment.id, expires);
      return `${options.publicUrl}/webhooks/${account.kind}/${account.id}/media/${attachment.id}?expires=${expires}&signature=${signature}`;
    },

    /** The attachment a link names, if the link is genuine, unexpired and the attachment belongs to that account. */
    async open(accountId: string, attachmentId: string, query: { expires?: unknown; signature?: unknown }): Promise<Attachment> {
      const expires = Number(query.expires);
      const given = typeof query.signature === 'string' ? Buffer.from(query.signature) : Buffer.alloc(0);
      const expected = Buffer.from(sign(accountId, attachmentId, expires));
      const genuine = given.length === expected.length && timingSafeEqual(given, expected);
      if (!genuine || !Number.isInteger(expires) || expires * 1000 < deps.now()) throw notFound('media');
      const attachment = await deps.store.attachments.findById(attachmentId);
      if (!attachment || attachment.channelAccountId !== accountId) throw notFound('media');
      return attachment;
    },
  };
}

export type PublicMedia = ReturnType<typeof makePublicMedia>;
