// The email channel's test servers work: a real Dovecot on loopback keeps, finds, announces and (on
// demand) renumbers mail, and the SMTP receiver records what nodemailer sends or refuses it as told.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { startDovecot, type Dovecot } from './support/dovecot.js';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.js';

const THAI_SUBJECT = 'สอบถามเรื่องการจัดส่งสินค้า';
const THAI_BODY = 'สวัสดีค่ะ สินค้าที่สั่งเมื่อวานยังไม่ได้รับเลยค่ะ ขอบคุณค่ะ';

/** A raw RFC 5322 message with a Thai subject (encoded word) and an 8-bit UTF-8 Thai body. */
function thaiMail(messageId: string, subject = THAI_SUBJECT): Buffer {
  return Buffer.from(
    [
      'From: =?UTF-8?B?' + Buffer.from('สมชาย ใจดี').toString('base64') + '?= <somchai@example.net>',
      'To: support@example.com',
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      `Message-ID: <${messageId}>`,
      'Date: Mon, 06 Jan 2025 09:30:00 +0700',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      THAI_BODY,
      '',
    ].join('\r\n'),
  );
}

describe('dovecot', () => {
  let dovecot: Dovecot;
  const user = 'support@example.com';

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.close();
  });

  test('keeps a Thai UTF-8 mail byte for byte and finds it by its Thai subject and body', async () => {
    const raw = thaiMail('thai-1@example.net');
    const appended = await dovecot.append(user, 'INBOX', raw, ['\\Seen']);

    const client = await dovecot.connect(user);
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        expect(await client.search({ subject: 'การจัดส่ง' }, { uid: true })).toEqual([appended.uid]);
        expect(await client.search({ body: 'ยังไม่ได้รับ' }, { uid: true })).toEqual([appended.uid]);
        const fetched = await client.fetchOne(String(appended.uid), { source: true, envelope: true, flags: true }, { uid: true });
        if (!fetched) throw new Error('FETCH found nothing');
        expect(fetched.source!.equals(raw)).toBe(true);
        expect(fetched.envelope!.subject).toBe(THAI_SUBJECT);
        expect(fetched.flags!.has('\\Seen')).toBe(true);
        const parsed = await simpleParser(fetched.source!);
        expect(parsed.text?.trim()).toBe(THAI_BODY);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  test('tells an IDLE client of a message appended by someone else', async () => {
    const client = await dovecot.connect(user, { disableAutoIdle: true });
    try {
      // mailboxOpen's answer is imapflow's live mailbox object: read the count before it moves.
      const before = (await client.mailboxOpen('INBOX')).exists;
      const exists = new Promise<{ count: number; prevCount: number }>((resolve) => client.once('exists', resolve));
      const idling = client.idle();
      await dovecot.append(user, 'INBOX', thaiMail('idle-1@example.net'));
      expect(await exists).toMatchObject({ count: before + 1, prevCount: before });
      await client.logout();
      await idling;
    } finally {
      client.close();
    }
  });

  test('keeps mail, UIDs and UIDVALIDITY over a restart and over a crash', async () => {
    await dovecot.createMailbox(user, 'Archive');
    const appended = await dovecot.append(user, 'Archive', thaiMail('restart-1@example.net'));

    await dovecot.restart();
    expect(await dovecot.status(user, 'Archive')).toMatchObject({ messages: 1, uidValidity: appended.uidValidity });

    const client = await dovecot.connect(user);
    const closed = new Promise<void>((resolve) => client.once('close', resolve));
    await dovecot.kill();
    await closed;
    await dovecot.start();
    expect(await dovecot.status(user, 'Archive')).toMatchObject({ messages: 1, uidValidity: appended.uidValidity });
    const again = await dovecot.connect(user);
    try {
      await again.mailboxOpen('Archive');
      expect(await again.search({ header: { 'message-id': 'restart-1@example.net' } }, { uid: true })).toEqual([appended.uid]);
    } finally {
      await again.logout();
    }
  });

  test('resetUidValidity renumbers a mailbox (even one with a Thai name) and keeps its messages', async () => {
    const mailbox = 'Support/ลูกค้า';
    await dovecot.createMailbox(user, mailbox);
    const first = await dovecot.append(user, mailbox, thaiMail('reset-1@example.net'));
    await dovecot.append(user, mailbox, thaiMail('reset-2@example.net'));

    const change = await dovecot.resetUidValidity(user, mailbox);
    expect(change.before).toBe(first.uidValidity);
    expect(change.after).not.toBe(change.before);

    const client = await dovecot.connect(user);
    try {
      const opened = await client.mailboxOpen(mailbox);
      expect(opened.uidValidity).toBe(change.after);
      const ids: string[] = [];
      for await (const message of client.fetch('1:*', { envelope: true })) ids.push(message.envelope!.messageId!);
      expect(ids.sort()).toEqual(['<reset-1@example.net>', '<reset-2@example.net>']);
    } finally {
      await client.logout();
    }
  });

  test('several instances run side by side, each with its own mail', async () => {
    const other = await startDovecot();
    try {
      expect(other.port).not.toBe(dovecot.port);
      await other.append(user, 'INBOX', thaiMail('other-1@example.net'));
      expect((await other.status(user, 'INBOX')).messages).toBe(1);
      expect((await dovecot.status('sales@example.com', 'INBOX')).messages).toBe(0);
    } finally {
      await other.close();
    }
  });
});

describe('smtp receiver', () => {
  let receiver: SmtpReceiver;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  const transport = (auth?: { user: string; pass: string }) =>
    nodemailer.createTransport({ host: receiver.host, port: receiver.port, secure: false, ignoreTLS: true, auth });

  test('records the envelope and the raw message nodemailer sends', async () => {
    const sent = await transport({ user: 'relay-user', pass: 'anything' }).sendMail({
      from: 'support@example.com',
      to: ['somchai@example.net', 'somsri@example.net'],
      subject: THAI_SUBJECT,
      text: THAI_BODY,
      messageId: '<sent-1@example.com>',
    });
    expect(sent.accepted).toEqual(['somchai@example.net', 'somsri@example.net']);

    const mail = await receiver.next((m) => m.to.includes('somchai@example.net'));
    expect(mail).toMatchObject({ from: 'support@example.com', to: ['somchai@example.net', 'somsri@example.net'], user: 'relay-user' });
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe(THAI_SUBJECT);
    expect(parsed.text?.trim()).toBe(THAI_BODY);
    expect(parsed.messageId).toBe('<sent-1@example.com>');
  });

  test('a configured 451 reaches nodemailer as a temporary failure, and the next send goes through', async () => {
    receiver.failNext(1, 451);
    const failed = await transport()
      .sendMail({ from: 'support@example.com', to: 'retry@example.net', subject: 'retry', text: 'first try' })
      .then(
        () => null,
        (err: { responseCode?: number; code?: string }) => err,
      );
    expect(failed).toMatchObject({ responseCode: 451, code: 'EMESSAGE' });
    expect(receiver.refused.at(-1)).toMatchObject({ to: ['retry@example.net'], refusal: { code: 451, at: 'data' } });

    await transport().sendMail({ from: 'support@example.com', to: 'retry@example.net', subject: 'retry', text: 'second try' });
    const mail = await receiver.next((m) => m.to.includes('retry@example.net'));
    expect(mail.raw.toString()).toContain('second try');
  });

  test('a permanent refusal at RCPT TO fails the whole send', async () => {
    receiver.failNext(1, 550, { at: 'rcpt', message: 'No such user here' });
    await expect(transport().sendMail({ from: 'support@example.com', to: 'gone@example.net', text: 'hello' })).rejects.toMatchObject({
      responseCode: 550,
      code: 'EENVELOPE',
    });
    expect(receiver.refused.at(-1)).toMatchObject({ to: ['gone@example.net'], refusal: { code: 550, at: 'rcpt' } });
  });

  test('a refusal for one recipient lets mail to others through and refuses the next mail to it', async () => {
    receiver.failNext(1, 451, { to: 'Later@example.net' });
    await transport().sendMail({ from: 'support@example.com', to: 'other@example.net', text: 'not refused' });
    expect((await receiver.next((m) => m.to.includes('other@example.net'))).raw.toString()).toContain('not refused');
    await expect(transport().sendMail({ from: 'support@example.com', to: 'later@example.net', text: 'refused' })).rejects.toMatchObject({
      responseCode: 451,
    });
    expect(receiver.refused.at(-1)).toMatchObject({ to: ['later@example.net'], refusal: { code: 451, at: 'data' } });
    await transport().sendMail({ from: 'support@example.com', to: 'later@example.net', text: 'accepted now' });
    expect((await receiver.next((m) => m.to.includes('later@example.net'))).raw.toString()).toContain('accepted now');
  });

  test('with a required login, a wrong password is refused and the right one accepted', async () => {
    const strict = await startSmtpReceiver({ auth: { user: 'relay', password: 'relay-password' } });
    try {
      const send = (pass: string) =>
        nodemailer
          .createTransport({ host: strict.host, port: strict.port, secure: false, ignoreTLS: true, auth: { user: 'relay', pass } })
          .sendMail({ from: 'support@example.com', to: 'somchai@example.net', text: 'hello' });
      await expect(send('wrong')).rejects.toMatchObject({ responseCode: 535, code: 'EAUTH' });
      await send('relay-password');
      expect((await strict.next()).user).toBe('relay');
    } finally {
      await strict.close();
    }
  });
});
