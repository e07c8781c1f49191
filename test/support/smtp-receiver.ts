// A real SMTP server on 127.0.0.1 and port 0 (the smtp-server package) standing in for the provider's
// relay: it records every message it accepts, and can refuse the next few with a chosen reply code so
// retry tests see a real 4xx or 5xx.
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerError, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  /** MAIL FROM ('' for the null sender). */
  from: string;
  /** RCPT TO, in order. */
  to: string[];
  /** The message as sent, dot-unstuffed. */
  raw: Buffer;
  /** The user that logged in, if any. */
  user: string | null;
}

/** Where a refusal is given: MAIL FROM, each RCPT TO, or after the DATA. */
export type RefusalStage = 'mail' | 'rcpt' | 'data';

export interface Refusal {
  code: number;
  message: string;
  at: RefusalStage;
  /** When set, only a transaction with this recipient is refused; others pass it by. */
  to?: string;
}

export interface RefusedMail {
  from: string;
  to: string[];
  refusal: Refusal;
}

export interface SmtpReceiverOptions {
  /** When set, AUTH is required and only this login is accepted; otherwise any login, or none, is. */
  auth?: { user: string; password: string };
}

/** Starts the receiver and resolves once it listens. */
export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const receiver = new SmtpReceiver(options);
  await receiver.listen();
  return receiver;
}

export class SmtpReceiver extends EventEmitter<{ message: [ReceivedMail]; refused: [RefusedMail] }> {
  readonly host = '127.0.0.1';
  port = 0;
  /** Every accepted message, in order of arrival. */
  readonly messages: ReceivedMail[] = [];
  /** Every refused transaction, in order. */
  readonly refused: RefusedMail[] = [];
  private readonly server: SMTPServer;
  private readonly refusals: Refusal[] = [];
  private readonly taken = new Set<ReceivedMail>();
  /** The refusal decided at MAIL FROM for each session's current transaction, and its record once given. */
  private readonly pending = new Map<string, { refusal: Refusal; record?: RefusedMail }>();

  constructor(options: SmtpReceiverOptions) {
    super();
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: !options.auth,
      logger: false,
      onAuth: (auth, _session, callback) => {
        const wanted = options.auth;
        if (wanted && (auth.username !== wanted.user || auth.password !== wanted.password)) {
          return callback(refusal(535, 'Authentication credentials invalid'));
        }
        callback(null, { user: auth.username });
      },
      onMailFrom: (address, session, callback) => this.onMailFrom(address, session, callback),
      onRcptTo: (address, session, callback) => this.onRcptTo(address, session, callback),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const planned = this.pending.get(session.id)?.refusal;
          this.pending.delete(session.id);
          const envelope = envelopeOf(session);
          if (planned) {
            this.refuse({ ...envelope, refusal: planned });
            return callback(refusal(planned.code, planned.message));
          }
          const mail: ReceivedMail = {
            ...envelope,
            raw: Buffer.concat(chunks),
            user: typeof session.user === 'string' ? session.user : null,
          };
          this.messages.push(mail);
          callback(null);
          this.emit('message', mail);
        });
      },
    });
    // A client that drops its connection (a test killing a sender) is not the receiver's failure;
    // unheard, smtp-server's 'error' event would crash the test worker.
    this.server.on('error', () => undefined);
  }

  /**
   * Refuses the next `count` transactions with `code` (451: try again later; 550: permanent). With `to`,
   * only transactions to that recipient count, so mail the server sends meanwhile to others is not hit.
   */
  failNext(count: number, code: number, options: { message?: string; at?: RefusalStage; to?: string } = {}): void {
    const message = options.message ?? (code >= 500 ? 'Refused by the test receiver' : 'Try again later (test receiver)');
    const at = options.at ?? 'data';
    if (options.to !== undefined && at === 'mail') throw new Error('a refusal for one recipient cannot be given at MAIL FROM');
    const to = options.to?.toLowerCase();
    for (let i = 0; i < count; i++) this.refusals.push({ code, message, at, ...(to === undefined ? {} : { to }) });
  }

  /**
   * The first message not already returned by `next` for which `match` holds: one received earlier,
   * or the next to arrive. Rejects after `timeoutMs` so a missing message fails with a reason.
   */
  next(match: (mail: ReceivedMail) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMail> {
    const earlier = this.messages.find((mail) => !this.taken.has(mail) && match(mail));
    if (earlier) {
      this.taken.add(earlier);
      return Promise.resolve(earlier);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('message', onMessage);
        reject(new Error(`no matching message reached the SMTP receiver within ${timeoutMs} ms (${this.messages.length} received)`));
      }, timeoutMs);
      const onMessage = (mail: ReceivedMail) => {
        if (this.taken.has(mail) || !match(mail)) return;
        this.taken.add(mail);
        clearTimeout(timer);
        this.off('message', onMessage);
        resolve(mail);
      };
      this.on('message', onMessage);
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(0, this.host, () => {
        this.port = (this.server.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stops listening and drops open connections at once (a test's transports may still hold one). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const connection of this.server.connections) connection.close();
    });
  }

  /** Removes and returns the first refusal `fits` accepts. */
  private takeRefusal(fits: (refusal: Refusal) => boolean): Refusal | undefined {
    const index = this.refusals.findIndex(fits);
    return index < 0 ? undefined : this.refusals.splice(index, 1)[0];
  }

  private onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void): void {
    const planned = this.takeRefusal((r) => r.to === undefined);
    if (!planned) {
      this.pending.delete(session.id);
      return callback(null);
    }
    if (planned.at === 'mail') {
      this.refuse({ from: address.address, to: [], refusal: planned });
      return callback(refusal(planned.code, planned.message));
    }
    this.pending.set(session.id, { refusal: planned });
    callback(null);
  }

  private onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void): void {
    if (!this.pending.has(session.id)) {
      const recipient = address.address.toLowerCase();
      const forRecipient = this.takeRefusal((r) => r.to === recipient);
      if (forRecipient) this.pending.set(session.id, { refusal: forRecipient });
    }
    const planned = this.pending.get(session.id);
    if (planned?.refusal.at !== 'rcpt') return callback(null);
    // Every recipient of the transaction is refused; it is recorded once, with all of them.
    if (planned.record) planned.record.to.push(address.address);
    else this.refuse((planned.record = { from: envelopeOf(session).from, to: [address.address], refusal: planned.refusal }));
    callback(refusal(planned.refusal.code, planned.refusal.message));
  }

  private refuse(refused: RefusedMail): void {
    this.refused.push(refused);
    this.emit('refused', refused);
  }
}

function envelopeOf(session: SMTPServerSession): { from: string; to: string[] } {
  const { mailFrom, rcptTo } = session.envelope;
  return { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address) };
}

function refusal(code: number, message: string): SMTPServerError {
  const err: SMTPServerError = new Error(message);
  err.responseCode = code;
  return err;
}
