// The email channel against real servers on loopback: Debian's Dovecot (IMAP, IDLE) and an SMTP
// receiver. Mail appended to the mailbox becomes a conversation an agent's socket hears of; the agent's
// reply reaches SMTP with the thread's headers and the ticket reference; the customer's answer joins the
// same conversation. Duplicates, a renumbered mailbox and a restarted server lose nothing and store
// nothing twice; auto-replies, bounces, our own mail, forged references and oversized mail each get
// their documented outcome; SMTP failures are retried or shown on the message.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { simpleParser, type ParsedMail as Received } from 'mailparser';
import type { Message } from '../server/domain/types.js';
import { startDovecot, type Dovecot } from './support/dovecot.js';
import knexFactory from 'knex';
import {
  connect,
  nextEvent,
  ENGINES,
  PG_URL,
  startTestServer,
  type ClientSocket,
  type TestServer,
  nextDomainEvent,
} from './support/harness.js';
import { RowCounter } from './support/row-counts.js';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.js';
import { PNG_1X1, uploadFile } from './support/scenario.js';
import { until } from './support/until.js';

const SUPPORT = 'support@example.com';
const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

interface MailSpec {
  from: string;
  fromName?: string;
  subject: string;
  body: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  headers?: string[];
  to?: string;
  cc?: string;
}

function mail(spec: MailSpec): Buffer {
  return Buffer.from(
    [
      `From: ${spec.fromName ? `${b64(spec.fromName)} ` : ''}<${spec.from}>`,
      `To: ${spec.to ?? SUPPORT}`,
      ...(spec.cc ? [`Cc: ${spec.cc}`] : []),
      `Subject: ${b64(spec.subject)}`,
      `Message-ID: <${spec.messageId}>`,
      ...(spec.inReplyTo ? [`In-Reply-To: <${spec.inReplyTo}>`] : []),
      ...(spec.references ? [`References: ${spec.references.map((r) => `<${r}>`).join(' ')}`] : []),
      'Date: Mon, 06 Jan 2025 09:30:00 +0700',
      ...(spec.headers ?? []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      spec.body,
      '',
    ].join('\r\n'),
  );
}

const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 10_000);

describe.each(ENGINES)('email channel on %s', (engine) => {
  let dovecot: Dovecot;
  let smtp: SmtpReceiver;
  let server: TestServer;
  let admin: string;
  let accountId: string;
  let socket: ClientSocket;
  let n = 0;
  const uniq = (what: string) => `${what}-${engine}-${++n}-${Date.now()}@customer.example`;

  const settings = (over: Record<string, unknown> = {}) => ({
    imap: { host: dovecot.host, port: dovecot.port, tls: 'none', user: SUPPORT, syncDays: 7 },
    smtp: { host: smtp.host, port: smtp.port, tls: 'none' },
    fromAddress: SUPPORT,
    fromName: 'Omnidesk Support',
    signature: 'ทีมบริการลูกค้า / Customer care',
    acknowledge: { enabled: true },
    ...over,
  });
  const password = () => dovecot.users.find((u) => u.user === SUPPORT)!.password;

  /** Appends a mail and resolves with the message it became. */
  async function deliver(raw: Buffer): Promise<Message> {
    const id = /Message-ID: <([^>]+)>/.exec(raw.toString())![1]!;
    const created = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === id);
    await dovecot.append(SUPPORT, 'INBOX', raw);
    return (await created).message;
  }

  async function ledger(uidMessageId: string) {
    return eventually(
      async () => (await server.store.email.listImports({ channelAccountId: accountId }, 500)).find((i) => i.messageId === uidMessageId),
      (i) => i !== undefined,
      `the import of ${uidMessageId}`,
    );
  }

  /** A delivery status report (RFC 3464) saying mail `about` could not reach `recipient`. */
  const report = (id: string, recipient: string, about: string) =>
    Buffer.from(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
        `To: ${SUPPORT}`,
        'Subject: Undelivered Mail Returned to Sender',
        `Message-ID: <${id}>`,
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"',
        '',
        '--BOUND',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'Your message could not be delivered.',
        '--BOUND',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.customer.example',
        '',
        `Final-Recipient: rfc822; ${recipient}`,
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
        '',
        '--BOUND',
        'Content-Type: text/rfc822-headers',
        '',
        `From: Omnidesk Support <${SUPPORT}>`,
        `Message-ID: <${about}>`,
        'Subject: Re: Invoice',
        '',
        '--BOUND--',
        '',
      ].join('\r\n'),
    );

  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpReceiver()]);
    server = await startTestServer(
      engine,
      { CLUSTER_NAME: `email-test-${process.pid}` },
      { email: { backoffBaseMs: 50, backoffMaxMs: 400 }, outbox: { baseDelayMs: 20, maxDelayMs: 100, pollMs: 50 } },
    );
    admin = await server.api.login();
    const created = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: { kind: 'email', name: 'Support mailbox', settings: settings(), credentials: { imapPassword: password() } },
    });
    expect(created.status).toBe(201);
    accountId = created.body.account.id;
    socket = await connect(server.url, { token: admin });
    await eventually(
      async () => server.inboxes.receiver(accountId),
      (r) => r !== undefined,
      'the mailbox reader',
    );
  }, 60_000);
  afterAll(async () => {
    socket?.close();
    await server?.stop();
    await Promise.all([dovecot?.close(), smtp?.close()]);
  });

  test('a Thai mail becomes a conversation; the reply threads; the customer’s answer joins it', async () => {
    const customer = uniq('somchai');
    const firstId = uniq('first');
    const heard = nextEvent(socket, 'conversation:created');
    const first = await deliver(
      mail({
        from: customer,
        fromName: 'สมชาย ใจดี',
        subject: 'สินค้ายังไม่ได้รับ',
        body: 'สวัสดีครับ สั่งของไปเมื่อวานยังไม่ได้รับครับ',
        messageId: firstId,
      }),
    );
    const [conversation] = await heard;
    expect(conversation).toMatchObject({ id: first.conversationId, channelKind: 'email', subject: 'สินค้ายังไม่ได้รับ' });
    expect(first.text).toContain('สั่งของไปเมื่อวานยังไม่ได้รับครับ');
    expect(first.meta?.email).toMatchObject({ messageId: firstId, from: { address: customer, name: 'สมชาย ใจดี' } });
    const profile = await server.api.request('GET', `/api/v1/customers/${conversation.customerId}`, { token: admin });
    expect(profile.body.customer).toMatchObject({ name: 'สมชาย ใจดี' });
    expect(profile.body.customer.identities).toEqual([expect.objectContaining({ kind: 'email', value: customer })]);

    // The acknowledgement: automatic, with the ticket reference, never answered by auto-responders.
    const ack = await simpleParser((await smtp.next((m) => m.to.includes(customer))).raw);
    expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
    const ref = /\[(OD-[A-Z0-9]{10})\]/.exec(ack.subject ?? '')![1]!;
    expect(ack.text).toContain(ref);

    const reply = await server.api.request('POST', `/api/v1/conversations/${conversation.id}/messages`, {
      token: admin,
      body: { text: 'เรียนคุณสมชาย พัสดุจะถึงพรุ่งนี้ครับ' },
    });
    expect(reply.status).toBe(201);
    const sent: Received = await simpleParser((await smtp.next((m) => m.to.includes(customer))).raw);
    const replyId = `${reply.body.message.id}@example.com`;
    expect(sent.messageId).toBe(`<${replyId}>`);
    expect(sent.inReplyTo).toBe(`<${firstId}>`);
    expect([sent.references].flat()).toContain(`<${firstId}>`);
    expect(sent.subject).toBe(`Re: สินค้ายังไม่ได้รับ [${ref}]`);
    expect(sent.from?.value[0]).toMatchObject({ address: SUPPORT, name: 'Omnidesk Support' });
    expect(sent.text).toContain('เรียนคุณสมชาย พัสดุจะถึงพรุ่งนี้ครับ');
    expect(sent.text).toContain('ทีมบริการลูกค้า / Customer care');
    expect(sent.text).toContain('> สวัสดีครับ'); // the history, quoted
    expect(sent.html).toContain('พัสดุจะถึงพรุ่งนี้ครับ');
    await eventually(
      () => server.store.messages.findById(reply.body.message.id),
      (m) => m?.status === 'sent' && m.providerMessageId === replyId,
      'the reply marked sent',
    );

    const answer = await deliver(
      mail({
        from: customer,
        subject: `Re: สินค้ายังไม่ได้รับ [${ref}]`,
        body: 'ขอบคุณครับ\r\n\r\nOn Mon, 6 Jan 2025 at 10:05, Omnidesk Support <support@example.com> wrote:\r\n> เรียนคุณสมชาย พัสดุจะถึงพรุ่งนี้ครับ',
        messageId: uniq('answer'),
        inReplyTo: replyId,
        references: [firstId, replyId],
      }),
    );
    expect(answer.conversationId).toBe(conversation.id);
    expect(answer.text).toBe('ขอบคุณครับ');
    expect(answer.meta?.email?.quoted).toContain('พัสดุจะถึงพรุ่งนี้ครับ');

    // A mail client that drops In-Reply-To: the verified reference in the subject still threads it.
    const bySubject = await deliver(
      mail({ from: customer, subject: `Re: [${ref}] one more thing`, body: 'อีกเรื่องครับ', messageId: uniq('ref') }),
    );
    expect(bySubject.conversationId).toBe(conversation.id);
    // Someone else quoting the same Message-ID and reference does not get into this conversation.
    const stranger = uniq('stranger');
    const forged = await deliver(
      mail({ from: stranger, subject: `Re: [${ref}]`, body: 'let me see their parcel', messageId: uniq('forged'), inReplyTo: replyId }),
    );
    expect(forged.conversationId).not.toBe(conversation.id);
    // A made-up reference opens a new conversation too.
    const madeUp = await deliver(
      mail({ from: customer, subject: 'Re: [OD-ABCDEFGHJK] new question', body: 'คำถามใหม่', messageId: uniq('made-up') }),
    );
    expect(madeUp.conversationId).not.toBe(conversation.id);
  }, 60_000);

  test('a Cc’d colleague’s reply joins the thread; a bounce marks the reply failed and the address failing', async () => {
    const customer = uniq('malee');
    const colleague = uniq('colleague');
    const firstId = uniq('cc-first');
    const first = await deliver(
      mail({ from: customer, cc: colleague, subject: 'Invoice', body: 'Please resend the invoice', messageId: firstId }),
    );
    const fromColleague = await deliver(
      mail({
        from: colleague,
        subject: 'Re: Invoice',
        body: 'Adding: we need it by Friday',
        messageId: uniq('cc-reply'),
        inReplyTo: firstId,
      }),
    );
    expect(fromColleague.conversationId).toBe(first.conversationId);

    const reply = await server.api.request('POST', `/api/v1/conversations/${first.conversationId}/messages`, {
      token: admin,
      body: { text: 'Invoice attached again.' },
    });
    const sent = await simpleParser((await smtp.next((m) => m.raw.includes('Invoice attached again'))).raw);
    expect(sent.cc && [sent.cc].flat()[0]!.value.map((a) => a.address)).toEqual([colleague]);
    const replyId = `${reply.body.message.id}@example.com`;
    await eventually(
      () => server.store.messages.findById(reply.body.message.id),
      (m) => m?.status === 'sent',
      'sent',
    );

    const bounceId = uniq('bounce');
    // A report anyone could forge: it names our reply but an address the reply never went to.
    const forgedId = uniq('forged-bounce');
    const forged = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === forgedId);
    await dovecot.append(SUPPORT, 'INBOX', report(forgedId, 'someone@elsewhere.example', replyId));
    expect((await forged).message.conversationId).not.toBe(first.conversationId);
    expect((await server.store.messages.findById(reply.body.message.id))!.status).toBe('sent');

    const failed = nextDomainEvent(server, 'message.status', (e) => e.message.id === reply.body.message.id);
    await dovecot.append(SUPPORT, 'INBOX', report(bounceId, customer, replyId));
    const { message } = await failed;
    expect(message).toMatchObject({ status: 'failed', errorCode: 'BOUNCED' });
    expect(message.errorMessage).toContain('5.1.1');
    const counter = RowCounter.open(server);
    try {
      const row = (await counter.rows('customer_identities')).find((r) => r.value === customer);
      expect(row?.failing_since).not.toBeNull();
      expect(String(row?.failing_reason)).toContain('user unknown');
    } finally {
      await counter.close();
    }
    const notes = await server.store.messages.listForConversation(first.conversationId, { limit: 50, includePrivate: true });
    expect(notes.find((m) => m.meta?.bounce)?.text).toContain(`Delivery failed to ${customer}`);
    expect((await ledger(bounceId))!.status).toBe('failed_delivery');
  }, 60_000);

  test('auto-replies are marked and never answered; our own mail is not imported as a customer’s', async () => {
    const customer = uniq('away');
    const oooId = uniq('ooo');
    const ooo = await deliver(
      mail({
        from: customer,
        subject: 'Automatic reply: Invoice',
        body: 'I am out of the office until Monday.',
        messageId: oooId,
        headers: ['Auto-Submitted: auto-replied', 'X-Auto-Response-Suppress: All'],
      }),
    );
    expect(ooo.meta?.autoReply).toBeTruthy();
    // The import is in the ledger once its handling (and any acknowledgement) is done.
    expect((await ledger(oooId))!.status).toBe('imported');
    const outbound = await server.store.messages.listForConversation(ooo.conversationId, { limit: 50, includePrivate: true });
    expect(outbound.filter((m) => m.direction === 'outbound')).toEqual([]);

    const ownId = uniq('own');
    await dovecot.append(SUPPORT, 'INBOX', mail({ from: SUPPORT, subject: 'Copy of our reply', body: 'sent by us', messageId: ownId }));
    expect((await ledger(ownId))!.status).toBe('own');
    expect(await server.store.messages.findByProviderId(accountId, ownId)).toBeUndefined();
  }, 60_000);

  test('the same mail twice, a renumbered mailbox and a restarted server: nothing lost, nothing twice', async () => {
    const customer = uniq('twice');
    const id = uniq('dup');
    const raw = mail({ from: customer, subject: 'Twice', body: 'the same mail, held twice', messageId: id });
    const first = await deliver(raw);
    await dovecot.append(SUPPORT, 'INBOX', raw);
    await eventually(
      async () => (await server.store.email.listImports({ channelAccountId: accountId }, 500)).filter((i) => i.messageId === id),
      (rows) => rows.length === 2,
      'both copies in the ledger',
    );
    const count = async () =>
      (await server.store.messages.listForConversation(first.conversationId, { limit: 50, includePrivate: true })).filter(
        (m) => m.direction === 'inbound',
      ).length;
    expect(await count()).toBe(1);

    const total = async () => (await server.store.email.listImports({ channelAccountId: accountId, status: ['imported'] }, 500)).length;
    const importedBefore = await total();
    const reconnected = new Promise((resolve) => server.inboxes.receiver(accountId)!.once('connected', resolve));
    const { before, after } = await dovecot.resetUidValidity(SUPPORT, 'INBOX');
    expect(after).not.toBe(before);
    await reconnected;
    const afterReset = await deliver(
      mail({ from: customer, subject: 'After the reset', body: 'new mail', messageId: uniq('after-reset') }),
    );
    expect(afterReset.conversationId).not.toBe(first.conversationId);
    expect(await count()).toBe(1);
    // The re-read window found only duplicates: the one new mail is the only new import.
    await eventually(total, (t) => t === importedBefore + 1, 'the import of the new mail');
    const renumbered = await server.store.email.listImports({ channelAccountId: accountId }, 500);
    expect(renumbered.filter((i) => i.messageId === id).map((i) => i.status)).toEqual(
      expect.arrayContaining(['imported', 'duplicate', 'duplicate']),
    );

    // Dovecot stops mid-IDLE and comes back: mail that arrives meanwhile is read after the reconnect.
    await dovecot.stop();
    await dovecot.start();
    const whileDown = await deliver(
      mail({ from: customer, subject: 'While you were away', body: 'hello again', messageId: uniq('restart') }),
    );
    expect(whileDown.text).toBe('hello again');
  }, 90_000);

  test('SMTP: a temporary refusal is retried with the same Message-ID; a permanent one is shown on the message', async () => {
    const customer = uniq('retry');
    const first = await deliver(mail({ from: customer, subject: 'Retry', body: 'please answer', messageId: uniq('retry-first') }));
    await smtp.next((m) => m.to.includes(customer)); // the acknowledgement
    smtp.failNext(1, 451, { message: 'try again later', to: customer });
    const reply = await server.api.request('POST', `/api/v1/conversations/${first.conversationId}/messages`, {
      token: admin,
      body: { text: 'Answer one' },
    });
    const received = await simpleParser((await smtp.next((m) => m.raw.includes('Answer one'))).raw);
    expect(received.messageId).toBe(`<${reply.body.message.id}@example.com>`);
    expect(smtp.refused.filter((r) => r.to.includes(customer))).toHaveLength(1);

    // An attachment travels with the reply.
    const uploaded = await uploadFile(`${server.url}/api/v1/conversations/${first.conversationId}/attachments`, {
      token: admin,
      bytes: PNG_1X1,
      filename: 'ใบเสร็จ.png',
      type: 'image/png',
    });
    expect(uploaded.status).toBe(201);
    await server.api.request('POST', `/api/v1/conversations/${first.conversationId}/messages`, {
      token: admin,
      body: { text: 'Receipt attached', attachmentIds: [uploaded.body.attachment!.id] },
    });
    const withFile = await simpleParser((await smtp.next((m) => m.raw.includes('Receipt attached'))).raw);
    expect(withFile.attachments.map((a) => [a.filename, a.contentType, a.content.equals(PNG_1X1)])).toEqual([
      ['ใบเสร็จ.png', 'image/png', true],
    ]);

    smtp.failNext(1, 550, { message: 'mailbox unavailable', to: customer });
    const failing = await server.api.request('POST', `/api/v1/conversations/${first.conversationId}/messages`, {
      token: admin,
      body: { text: 'Answer two' },
    });
    const failed = await eventually(
      () => server.store.messages.findById(failing.body.message.id),
      (m) => m?.status === 'failed',
      'failed',
    );
    expect(failed).toMatchObject({ errorCode: 'PERMANENT' });
    expect(failed!.errorMessage).toContain('550');
  }, 60_000);

  test('mail over the size cap, mail without a sender and inline images each get their outcome', async () => {
    // A second mailbox with the smallest cap (64 KB).
    const sales = dovecot.users.find((u) => u.user !== SUPPORT)!;
    const created = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: {
        kind: 'email',
        name: 'Sales mailbox',
        settings: {
          ...settings(),
          imap: { ...settings().imap, user: sales.user, maxBytes: 65_536 },
          fromAddress: sales.user,
          acknowledge: { enabled: false },
        },
        credentials: { imapPassword: sales.password },
      },
    });
    expect(created.status).toBe(201);
    const salesId = created.body.account.id;
    await eventually(
      async () => server.inboxes.receiver(salesId),
      (r) => r !== undefined,
      'the sales reader',
    );
    const customer = uniq('big');
    const bigId = uniq('big');
    const big = nextDomainEvent(server, 'message.created', (e) => e.message.channelAccountId === salesId);
    await dovecot.append(sales.user, 'INBOX', mail({ from: customer, subject: 'Scans', body: 'x'.repeat(100_000), messageId: bigId }));
    const { message: note } = await big;
    expect(note.text).toMatch(
      /^\[This email \(0\.1 MB\) is over the 0\.1 MB limit and was not imported\. It is still in the mailbox "INBOX"\.\]$/,
    );
    const imports = () => server.store.email.listImports({ channelAccountId: salesId }, 50);
    expect((await eventually(imports, (rows) => rows.length === 1, 'the ledger'))[0]).toMatchObject({ status: 'too_large', rawKey: null });

    // No From: kept raw, listed for admins, reprocessing says the same.
    const nobody = uniq('nobody');
    await dovecot.append(
      sales.user,
      'INBOX',
      Buffer.from(`To: ${sales.user}\r\nSubject: who am I\r\nMessage-ID: <${nobody}>\r\n\r\nno sender here\r\n`),
    );
    const [unprocessable] = await eventually(
      () => server.store.email.listImports({ channelAccountId: salesId, status: ['unprocessable'] }, 50),
      (rows) => rows.length === 1,
      'the unprocessable mail',
    );
    expect(unprocessable).toMatchObject({ messageId: nobody, error: 'the mail has no sender (From) address' });
    expect(unprocessable!.rawKey).toBeTruthy();
    const listed = await server.api.request('GET', `/api/v1/email/imports?accountId=${salesId}&status=unprocessable`, { token: admin });
    expect(listed.body.imports.map((i: { id: string }) => i.id)).toEqual([unprocessable!.id]);
    const again = await server.api.request('POST', `/api/v1/email/imports/${unprocessable!.id}/reprocess`, { token: admin });
    expect(again.body.import).toMatchObject({ status: 'unprocessable' });
    const agent = await server.api.userWithRole(admin, 'agent');
    expect((await server.api.request('GET', '/api/v1/email/imports', { token: agent.token })).status).toBe(403);

    // An inline image (cid) is stored as an image of the message, marked with its Content-ID.
    const inlineId = uniq('inline');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const withImage = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === inlineId);
    await dovecot.append(
      sales.user,
      'INBOX',
      Buffer.from(
        [
          `From: <${customer}>`,
          `To: ${sales.user}`,
          'Subject: Photo of the damage',
          `Message-ID: <${inlineId}>`,
          'MIME-Version: 1.0',
          'Content-Type: multipart/related; boundary="REL"',
          '',
          '--REL',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>See the photo:</p><img src="cid:damage@x" onerror="alert(1)">',
          '--REL',
          'Content-Type: image/png; name="damage.png"',
          'Content-ID: <damage@x>',
          'Content-Disposition: inline; filename="damage.png"',
          'Content-Transfer-Encoding: base64',
          '',
          png.toString('base64'),
          '--REL--',
          '',
        ].join('\r\n'),
      ),
    );
    const { message } = await withImage;
    const html = message.parts.find((p) => p.type === 'html');
    expect(html && html.type === 'html' && html.html).toContain('src="cid:damage@x"');
    expect(html && html.type === 'html' && html.html).not.toContain('onerror');
    expect(message.parts.find((p) => p.type === 'image')).toMatchObject({
      filename: 'damage.png',
      contentType: 'image/png',
      contentId: 'damage@x',
      size: png.length,
    });
  }, 60_000);

  test('a mail the database keeps refusing is set aside after 3 tries; the mail behind it comes in; reprocessing brings it in', async () => {
    // A real refusal from the real database: a trigger that aborts any message with this text.
    const pill = 'POISON-PILL-' + Date.now();
    const db =
      engine === 'sqlite'
        ? knexFactory({ client: 'better-sqlite3', connection: { filename: server.db.url.slice('sqlite:'.length) }, useNullAsDefault: true })
        : knexFactory({ client: 'pg', connection: PG_URL });
    const table = server.db.schema ? `${server.db.schema}.messages` : 'messages';
    const refuse = server.db.schema ? `${server.db.schema}.refuse_pill` : 'refuse_pill';
    try {
      if (engine === 'sqlite') {
        await db.raw(
          `CREATE TRIGGER refuse_pill BEFORE INSERT ON messages WHEN NEW.text LIKE '%${pill}%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
        );
      } else {
        await db.raw(
          `CREATE FUNCTION ${refuse}() RETURNS trigger AS $$ BEGIN IF NEW.text LIKE '%${pill}%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
        );
        await db.raw(`CREATE TRIGGER refuse_pill BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${refuse}()`);
      }
      const customer = uniq('pill');
      const pillId = uniq('pill-mail');
      const behindId = uniq('behind');
      await dovecot.append(SUPPORT, 'INBOX', mail({ from: customer, subject: 'Refused', body: pill, messageId: pillId }));
      const behind = await deliver(mail({ from: customer, subject: 'Next', body: 'the mail after it', messageId: behindId }));
      expect(behind.text).toBe('the mail after it');
      const setAside = await ledger(pillId);
      expect(setAside).toMatchObject({ status: 'unprocessable' });
      expect(setAside!.error).toMatch(/^failed 3 times: .*refused by the test/);
      expect(await server.store.messages.findByProviderId(accountId, pillId)).toBeUndefined();

      // Fixed: the admin reprocesses it, and it is imported once.
      if (engine === 'sqlite') await db.raw('DROP TRIGGER refuse_pill');
      else await db.raw(`DROP TRIGGER refuse_pill ON ${table}`);
      const again = await server.api.request('POST', `/api/v1/email/imports/${setAside!.id}/reprocess`, { token: admin });
      expect(again.status).toBe(200);
      expect(again.body.import).toMatchObject({ status: 'imported' });
      const stored = await server.store.messages.findByProviderId(accountId, pillId);
      expect(stored?.text).toBe(pill);
    } finally {
      if (engine === 'sqlite') await db.raw('DROP TRIGGER IF EXISTS refuse_pill');
      else await db.raw(`DROP TRIGGER IF EXISTS refuse_pill ON ${table}`);
      await db.destroy();
    }
  }, 60_000);

  test('an account is checked before it is saved: the error says which service and step failed', async () => {
    const wrong = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: { kind: 'email', name: 'Wrong password', settings: settings(), credentials: { imapPassword: 'not-the-password' } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/^IMAP: .* refused the login/);
    expect(wrong.body.error.details).toEqual({ service: 'imap', step: 'login' });
    const closed = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: {
        kind: 'email',
        name: 'No server',
        settings: settings({ smtp: { host: '127.0.0.1', port: 1, tls: 'none' } }),
        credentials: { imapPassword: password() },
      },
    });
    expect(closed.status).toBe(400);
    expect(closed.body.error.details).toEqual({ service: 'smtp', step: 'host' });
    const bad = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: { kind: 'email', name: 'Bad', settings: { ...settings(), fromAddress: 'not an address' }, credentials: { imapPassword: 'x' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('fromAddress');
    const accounts = await server.api.request('GET', '/api/v1/channel-accounts', { token: admin });
    expect(accounts.body.accounts.filter((a: { name: string }) => ['Wrong password', 'No server', 'Bad'].includes(a.name))).toEqual([]);
  }, 60_000);
});
