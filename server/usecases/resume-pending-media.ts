// Files a customer sent that a stopped process never fetched. An MMS's media, a LINE message's content
// and a Messenger message's attachments are fetched after the provider has its answer, so a process
// that dies in between leaves them listed as pending on a stored message (its text is safe). The
// routing leader sweeps for them when it takes the lead (all of the last week's) and every 10 minutes
// while it leads (those pending for over a minute, which no fetch is likely still working on): each
// goes back to its channel, which fetches and attaches the files once (one fetch per message on a
// node, and a compare-and-set write, so a node still fetching one loses nothing).
import type { ChannelAccount, ChannelKind } from '../domain/types.js';
import type { Deps } from './deps.js';
import type { FindWebhookAccount } from './webhook-account.js';

/**
 * A channel's way to fetch a stored message's pending files again, with the account's opened
 * credentials; resolves when that is done (failures are the channel's to log).
 */
export type ResumePendingFiles = (account: ChannelAccount, credentials: Record<string, unknown>, messageId: string) => Promise<void>;

export interface ResumePendingMediaOptions {
  /** How far back to look: providers keep files a while, not forever. */
  lookBackMs: number;
  /** In the periodic sweep, files pending for less than this are left alone: likely being fetched right now. */
  settleMs: number;
  /** Messages handed back per account and sweep (the next sweep takes the rest). */
  batch: number;
  /** Messages fetched at once: each file is held in memory up to the upload cap while it is checked. */
  concurrency: number;
}

export const DEFAULT_RESUME_PENDING_MEDIA: ResumePendingMediaOptions = {
  lookBackMs: 7 * 86_400_000,
  settleMs: 60_000,
  batch: 500,
  concurrency: 4,
};

export function makeResumePendingMedia(
  deps: Pick<Deps, 'store' | 'now'> & {
    log: { warn(o: object, msg: string): void };
    findAccount: FindWebhookAccount;
    channels: Partial<Record<ChannelKind, ResumePendingFiles>>;
  },
  options: ResumePendingMediaOptions = DEFAULT_RESUME_PENDING_MEDIA,
) {
  /** Fetches the pending files of one account's messages, a few at a time; resolves with how many messages. */
  async function resumeAccount(listed: ChannelAccount, resume: ResumePendingFiles, from: number, to: number): Promise<number> {
    const ids = await deps.store.messages.withPendingFiles(listed.id, from, to, options.batch);
    if (ids.length === 0) return 0;
    const hook = await deps.findAccount(listed.id, listed.kind);
    if (!hook) return 0;
    let next = 0;
    const worker = async () => {
      while (next < ids.length) await resume(hook.account, hook.credentials, ids[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, ids.length) }, worker));
    return ids.length;
  }

  /**
   * Hands every pending message found back to its channel and resolves once they are fetched, with how
   * many. `periodic`: leaves alone what is younger than `settleMs`. One account failing (its settings
   * or credentials unreadable) is logged and the others go on.
   */
  return async function resumePendingMedia(periodic: boolean): Promise<number> {
    const now = deps.now();
    const to = periodic ? now - options.settleMs : now;
    let resumed = 0;
    for (const listed of await deps.store.channelAccounts.list()) {
      const resume = deps.channels[listed.kind];
      if (!resume || !listed.active) continue;
      // Between accounts the event loop gets its turn (on SQLite each query holds it while it runs).
      await new Promise((resolve) => setImmediate(resolve));
      try {
        resumed += await resumeAccount(listed, resume, now - options.lookBackMs, to);
      } catch (err) {
        deps.log.warn({ err, accountId: listed.id }, 'could not fetch the files a stop left pending for this account');
      }
    }
    return resumed;
  };
}
