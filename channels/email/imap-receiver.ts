// Reading one mailbox with imapflow: a first sync of the configured window, then IDLE for new mail.
// When the server or the network drops, a new client connects again after a backoff (an ImapFlow
// instance cannot be reused). Mail is taken in UID order and the position saved after each one, so
// a crash re-reads at most the mail in hand, which the importer's ledger and Message-ID make harmless.
// A UIDVALIDITY change (the server renumbered the mailbox) re-reads the sync window.
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { ImapFlow } from 'imapflow';
import type { EmailAddress } from '../../server/domain/email.js';
import type { EmailCredentials, EmailSettings } from './account.js';
import { imapClient } from './connect.js';

export interface MailPlace {
  mailbox: string;
  uidValidity: number;
  uid: number;
  size: number;
  envelope: { messageId: string | null; subject: string | null; from: EmailAddress | null };
}

export interface ReceiverHandlers {
  /** Brings one mail in; resolves once it is safely recorded (then the after-import action runs). */
  onMail(place: MailPlace, open: () => Promise<Readable>): Promise<void>;
  loadPosition(mailbox: string): Promise<{ uidValidity: number; lastUid: number } | undefined>;
  savePosition(mailbox: string, uidValidity: number, lastUid: number): Promise<void>;
  log: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
}

export interface ReceiverOptions {
  backoffBaseMs: number;
  backoffMaxMs: number;
  now: () => number;
}

export const DEFAULT_RECEIVER_OPTIONS: ReceiverOptions = { backoffBaseMs: 1_000, backoffMaxMs: 60_000, now: Date.now };

const DAY = 24 * 60 * 60 * 1000;
const stripBrackets = (id: string | undefined) => (id ? id.trim().replace(/^<|>$/g, '') : null);

/** Events: `connected`, `synced` ({imported}), `disconnected` ({error}) — for tests and health. */
export class ImapReceiver extends EventEmitter {
  private stopped = false;
  private client: ImapFlow | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly settings: EmailSettings,
    private readonly credentials: EmailCredentials,
    private readonly handlers: ReceiverHandlers,
    private readonly options: ReceiverOptions = DEFAULT_RECEIVER_OPTIONS,
  ) {
    super();
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.client?.logout().catch(() => undefined);
    this.client?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    for (let failures = 0; !this.stopped;) {
      const error = await this.session().catch((err: unknown) => err);
      if (this.stopped) break;
      failures = error ? failures + 1 : 0;
      this.emit('disconnected', { error });
      const cap = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** Math.min(failures, 16));
      const delay = Math.round(cap / 2 + (Math.random() * cap) / 2);
      this.handlers.log.warn(
        { err: error, mailbox: this.settings.imap.mailbox, host: this.settings.imap.host, delay },
        'IMAP connection ended; reconnecting',
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One connection: sync, then sync again whenever the server announces new mail, until it closes. */
  private async session(): Promise<unknown> {
    const client = imapClient(this.settings, this.credentials);
    this.client = client;
    let failure: unknown;
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', (err: unknown) => {
      failure = err;
    });
    await client.connect();
    try {
      // No lock is held between passes: imapflow IDLEs on its own only while the mailbox is not locked.
      await client.mailboxOpen(this.settings.imap.mailbox);
      this.emit('connected');
      const uidValidity = Number(client.mailbox && client.mailbox.uidValidity);
      // Passes of this connection run one after another (a stuck pass of a dead connection holds up nothing).
      let syncing: Promise<void> = Promise.resolve();
      const pass = () => {
        syncing = syncing
          .then(async () => {
            const lock = await client.getMailboxLock(this.settings.imap.mailbox);
            try {
              await this.sync(client, uidValidity);
            } finally {
              lock.release();
            }
          })
          .catch((err: unknown) => {
            failure = err;
            client.close(); // a failed pass reconnects and starts over from the saved position
          });
        return syncing;
      };
      client.on('exists', () => void pass());
      await pass();
      await closed;
    } finally {
      client.close();
    }
    return failure ?? new Error('the IMAP server closed the connection');
  }

  private async sync(client: ImapFlow, uidValidity: number): Promise<void> {
    const { imap } = this.settings;
    const saved = await this.handlers.loadPosition(imap.mailbox);
    let uids: number[];
    if (saved && saved.uidValidity === uidValidity) {
      uids = ((await client.search({ uid: `${saved.lastUid + 1}:*` }, { uid: true })) || []).filter((u) => u > saved.lastUid);
    } else {
      // First sync, or the server renumbered the mailbox: the window of recent mail (the ledger and the
      // Message-ID keep what was already imported from being imported again).
      if (saved) this.handlers.log.warn({ mailbox: imap.mailbox, was: saved.uidValidity, now: uidValidity }, 'UIDVALIDITY changed');
      uids =
        imap.syncDays > 0 ? (await client.search({ since: new Date(this.options.now() - imap.syncDays * DAY) }, { uid: true })) || [] : [];
      const next = Number(client.mailbox && client.mailbox.uidNext) - 1;
      if (uids.length === 0) await this.handlers.savePosition(imap.mailbox, uidValidity, Math.max(0, next));
    }
    uids.sort((a, b) => a - b);
    if (uids.length === 0) {
      this.emit('synced', { imported: 0 });
      return;
    }
    // Sizes and envelopes first (no other command may run while a FETCH streams), then one mail at a time.
    const places: MailPlace[] = [];
    for await (const m of client.fetch(uids.join(','), { uid: true, size: true, envelope: true }, { uid: true })) {
      const from = m.envelope?.from?.[0];
      places.push({
        mailbox: imap.mailbox,
        uidValidity,
        uid: m.uid,
        size: m.size ?? 0,
        envelope: {
          messageId: stripBrackets(m.envelope?.messageId),
          subject: m.envelope?.subject ?? null,
          from: from?.address ? { address: from.address.toLowerCase(), name: from.name || null } : null,
        },
      });
    }
    places.sort((a, b) => a.uid - b.uid);
    for (const place of places) {
      await this.handlers.onMail(place, async () => {
        const download = await client.download(String(place.uid), undefined, { uid: true });
        if (!download.content) throw new Error(`mail ${place.uid} vanished from ${imap.mailbox}`);
        return download.content;
      });
      if (imap.afterImport === 'seen') await client.messageFlagsAdd(String(place.uid), ['\\Seen'], { uid: true });
      else if (imap.afterImport === 'move' && imap.moveTo) await client.messageMove(String(place.uid), imap.moveTo, { uid: true });
      await this.handlers.savePosition(imap.mailbox, uidValidity, place.uid);
    }
    this.emit('synced', { imported: places.length });
  }
}
