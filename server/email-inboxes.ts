// Runs one IMAP receiver per active email account, on the node that leads routing (so a cluster reads
// each mailbox once), and keeps that set in step with the accounts as admins change them.
import type { Logger } from 'pino';
import { EmailCredentials, EmailSettings } from '../channels/email/account.js';
import { DEFAULT_RECEIVER_OPTIONS, ImapReceiver, type ReceiverOptions } from '../channels/email/imap-receiver.js';
import type { Store } from '../db/store.js';
import type { ChannelAccount } from './domain/types.js';
import type { EventBus } from './event-bus.js';
import type { SecretBox } from './security/secret-box.js';
import type { ImportEmail } from './usecases/import-email.js';

export interface EmailInboxesDeps {
  store: Store;
  events: EventBus;
  secrets: SecretBox;
  importEmail: ImportEmail;
  log: Logger;
  /** Whether this node should read mail (it leads routing). */
  active: () => boolean;
}

const RECONCILE_MS = 5_000;

export class EmailInboxes {
  private readonly running = new Map<string, { receiver: ImapReceiver; version: number }>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private reconciling: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: EmailInboxesDeps,
    private readonly options: ReceiverOptions = DEFAULT_RECEIVER_OPTIONS,
  ) {}

  start(): void {
    this.unsubscribe = this.deps.events.subscribe((e) => {
      if (e.type === 'channel_accounts.changed') void this.reconcile();
    });
    const tick = () => {
      void this.reconcile().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, RECONCILE_MS).unref();
      });
    };
    tick();
  }

  /** The receiver of an account (tests wait on its events). */
  receiver(accountId: string): ImapReceiver | undefined {
    return this.running.get(accountId)?.receiver;
  }

  reconcile(): Promise<void> {
    this.reconciling = this.reconciling.then(() => this.apply()).catch((err: unknown) => this.deps.log.error({ err }, 'email inboxes'));
    return this.reconciling;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.reconciling;
    await Promise.all([...this.running.values()].map((r) => r.receiver.stop()));
    this.running.clear();
  }

  private async apply(): Promise<void> {
    if (this.stopped) return;
    const wanted = this.deps.active() ? (await this.deps.store.channelAccounts.list()).filter((a) => a.kind === 'email' && a.active) : [];
    const byId = new Map(wanted.map((a) => [a.id, a]));
    for (const [id, r] of this.running) {
      const account = byId.get(id);
      if (!account || account.updatedAt !== r.version) {
        await r.receiver.stop();
        this.running.delete(id);
      }
    }
    for (const account of wanted) if (!this.running.has(account.id)) await this.open(account);
  }

  private async open(account: ChannelAccount): Promise<void> {
    const { store, secrets, importEmail, log } = this.deps;
    const settings = EmailSettings.safeParse(account.settings);
    const sealed = await store.channelAccounts.sealedCredentials(account.id);
    const credentials = sealed ? EmailCredentials.safeParse(secrets.open(sealed)) : undefined;
    if (!settings.success || !credentials?.success) {
      log.error({ accountId: account.id }, 'email account has invalid settings or credentials; not reading it');
      return;
    }
    const receiver = new ImapReceiver(
      settings.data,
      credentials.data,
      {
        onMail: async (place, open) => {
          const current = (await store.channelAccounts.findById(account.id)) ?? account;
          const outcome = await importEmail.importMail(current, place, open);
          log.info({ accountId: account.id, uid: place.uid, status: outcome.status }, 'email imported');
        },
        loadPosition: (mailbox) => store.email.syncState(account.id, mailbox),
        savePosition: (mailbox, uidValidity, lastUid) => store.email.saveSyncState(account.id, mailbox, uidValidity, lastUid, Date.now()),
        log: { info: (o, m) => log.info({ accountId: account.id, ...o }, m), warn: (o, m) => log.warn({ accountId: account.id, ...o }, m) },
      },
      this.options,
    );
    this.running.set(account.id, { receiver, version: account.updatedAt });
    receiver.start();
  }
}
