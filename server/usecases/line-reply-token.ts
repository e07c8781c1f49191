// LINE reply tokens are single-use and expire about a minute after their event. Each inbound LINE
// message keeps its event's token (MessageMeta.line.replyToken) until a reply takes it: the newest
// valid token of the conversation is removed from its message in a compare-and-set write that names
// the reply that took it, so two replies sent at once (or by two nodes) never use one token, and an
// outbox retry of the same reply finds it gone and pushes instead.
import type { Deps } from './deps.js';

/** How many of the conversation's latest messages are looked at for a token. */
const LOOK_BACK = 20;

export function makeClaimLineReplyToken(deps: Pick<Deps, 'store' | 'now'>) {
  return async function claimLineReplyToken(conversationId: string, messageId: string): Promise<string | undefined> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const now = deps.now();
      const recent = await deps.store.messages.listRecent(conversationId, now, LOOK_BACK);
      const holder = recent
        .reverse()
        .find((m) => m.direction === 'inbound' && m.meta?.line?.replyToken && (m.meta.line.replyTokenExpiresAt ?? 0) > now);
      const line = holder?.meta?.line;
      if (!holder || !line?.replyToken) return undefined;
      const { replyToken, replyTokenExpiresAt: _expires, ...rest } = line;
      const meta = { ...holder.meta, line: { ...rest, replyTokenUsedBy: messageId } };
      if (await deps.store.messages.replaceContent(holder.id, holder.meta, { parts: holder.parts, text: holder.text, meta }, now)) {
        return replyToken;
      }
    }
    return undefined;
  };
}
