// The email parser over real mail shapes (test/fixtures/email/): charsets, MIME structures, quoted
// history, auto-replies, bounces and malformed mail; then the streaming of a large attachment.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { parseMail, UnparseableMailError, type AttachmentMeta, type ParsedMail } from '../channels/email/parse-mail.js';
import { htmlToText } from '../server/domain/html-text.js';
import { splitQuoted } from '../channels/email/quotes.js';

const FIXTURES = new URL('./fixtures/email/', import.meta.url);
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** A file store in memory (fixtures are small), answering as the real one does. */
function memoryStore() {
  const files = new Map<string, { meta: AttachmentMeta; bytes: Buffer }>();
  const storeAttachment = async (meta: AttachmentMeta, content: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of content) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const ref = `mem:${files.size + 1}`;
    files.set(ref, { meta, bytes });
    return { ref, size: bytes.length, sha256: sha256(bytes) };
  };
  return { files, storeAttachment };
}

async function parseFixture(name: string) {
  const store = memoryStore();
  const mail = await parseMail(createReadStream(new URL(name, FIXTURES)), { storeAttachment: store.storeAttachment });
  return { mail, files: store.files };
}

const parseRaw = (raw: string | Buffer, options: { maxHtmlBytes?: number } = {}) =>
  parseMail(Readable.from([Buffer.from(raw)]), { storeAttachment: memoryStore().storeAttachment, ...options });

const SUPPORT = { address: 'support@desk.example.com', name: null };
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

type Case = { file: string; expected: Partial<ParsedMail> & Record<string, unknown> };

describe('charsets', () => {
  const cases: Case[] = [
    {
      file: 'charset-tis620.eml',
      expected: {
        messageId: '20240315094107.5A1B2@mail.example.co.th',
        subject: 'สอบถามสถานะพัสดุ',
        from: { address: 'somchai@example.co.th', name: 'สมชาย ใจดี' },
        to: [SUPPORT],
        date: Date.parse('2024-03-15T09:41:07+07:00'),
        text: 'สวัสดีครับ\n\nผมสั่งสินค้าเมื่อวันที่ 3 และยังไม่ได้รับพัสดุ หมายเลขคำสั่งซื้อ 10045\nรบกวนช่วยตรวจสอบให้ด้วยครับ\n\nขอบคุณครับ\nสมชาย',
        newText: 'สวัสดีครับ\n\nผมสั่งสินค้าเมื่อวันที่ 3 และยังไม่ได้รับพัสดุ หมายเลขคำสั่งซื้อ 10045\nรบกวนช่วยตรวจสอบให้ด้วยครับ\n\nขอบคุณครับ\nสมชาย',
        quoted: null,
        html: null,
        attachments: [],
        autoReply: null,
        bounce: null,
      },
    },
    {
      // windows-874 has “ ” … where TIS-620 has nothing: decoding as plain TIS-620 would lose them.
      file: 'charset-windows874-outlook.eml',
      expected: {
        messageId: 'SG2PR06MB5226D1F0A1B2C3D4E5F6A7B8@SG2PR06MB5226.apcprd06.prod.outlook.com',
        inReplyTo: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b@desk.example.com',
        references: ['0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b@desk.example.com'],
        subject: 'RE: ใบแจ้งหนี้เดือนมีนาคม [OD-K7Q2M9XA4T]',
        from: { address: 'wipawadee@example.co.th', name: 'วิภาวดี ศรีสุข' },
        to: [{ address: 'support@desk.example.com', name: 'ฝ่ายบริการลูกค้า' }],
        date: Date.parse('2024-03-15T10:02:10Z'),
        newText: 'เรียนเจ้าหน้าที่\n\nได้รับใบแจ้งหนี้แล้วค่ะ แต่ยอดเงินไม่ตรง “ค่าบริการรายเดือน” คิดเกินไป 150 บาท…\n\nขอบคุณค่ะ\nวิภาวดี',
        quoted:
          '________________________________\nจาก: ฝ่ายบริการลูกค้า <support@desk.example.com>\nส่ง: 14 มีนาคม 2567 9:12\nถึง: วิภาวดี ศรีสุข <wipawadee@example.co.th>\nเรื่อง: ใบแจ้งหนี้เดือนมีนาคม [OD-K7Q2M9XA4T]\n\nเรียน คุณวิภาวดี\nแนบใบแจ้งหนี้ประจำเดือนมีนาคมมาให้แล้วค่ะ',
        html: expect.stringContaining('<p class="MsoNormal">ได้รับใบแจ้งหนี้แล้วค่ะ แต่ยอดเงินไม่ตรง “ค่าบริการรายเดือน” คิดเกินไป 150 บาท…'),
        attachments: [],
        autoReply: null,
      },
    },
    {
      // Java's name for windows-874, in the body and in encoded words: libmime does not know it.
      file: 'charset-x-windows-874.eml',
      expected: {
        messageId: '1710746433211.42.JavaMail.app@erp01',
        subject: 'ขอเปลี่ยนที่อยู่จัดส่ง',
        from: { address: 'prasert@example.co.th', name: 'ประเสริฐ วงศ์ใหญ่' },
        date: Date.parse('2024-03-18T14:20:33+07:00'),
        text: 'เรียนฝ่ายบริการลูกค้า\n\nขอเปลี่ยนที่อยู่จัดส่งสำหรับคำสั่งซื้อ 10052 เป็น\n99/1 ถนนพหลโยธิน แขวงสามเสนใน เขตพญาไท กรุงเทพฯ 10400\n\nประเสริฐ',
      },
    },
    {
      file: 'charset-iso-2022-jp.eml',
      expected: {
        subject: '注文の件について',
        from: { address: 'taro.yamada@example.jp', name: '山田 太郎' },
        date: Date.parse('2024-03-19T11:05:00+09:00'),
        text: 'お世話になっております。\n山田です。\n\n注文番号 10046 の商品がまだ届いていません。\nご確認をお願いいたします。\n\n山田 太郎',
        quoted: null,
      },
    },
    {
      file: 'charset-utf8-base64-gmail-th.eml',
      expected: {
        messageId: 'CAF=ab12cd34ef56+Xq-gmail@mail.example.com',
        inReplyTo: '0a1b2c3d-return@desk.example.com',
        references: ['0a0a0a0a-first@desk.example.com', '0a1b2c3d-return@desk.example.com'],
        subject: 'Re: การคืนสินค้า [OD-K7Q2M9XA4T]',
        from: { address: 'napa.kaewmanee@example.com', name: 'นภา แก้วมณี' },
        newText: 'ได้รับเลขพัสดุแล้วค่ะ ขอบคุณมากนะคะ\n\nนภา',
        quoted:
          'เมื่อ วันพฤหัสบดีที่ 14 มี.ค. 2567 เวลา 16:05 ฝ่ายบริการลูกค้า <\nsupport@desk.example.com> เขียนว่า:\n\n> เรียน คุณนภา\n>\n> เลขพัสดุสำหรับการคืนสินค้าคือ TH123456789\n>',
        html: expect.stringContaining('<blockquote class="gmail_quote"'),
      },
    },
    {
      // Soft line breaks fall inside multibyte characters; an emoji in the subject.
      file: 'charset-utf8-qp.eml',
      expected: {
        subject: 'ขอใบกำกับภาษี 🙏',
        from: { address: 'krit@example.com', name: 'Krit S.' },
        newText:
          'รบกวนขอใบกำกับภาษีเต็มรูปแบบสำหรับคำสั่งซื้อ 10048 ในนามบริษัท ทดสอบการค้า จำกัด (สำนักงานใหญ่) เลขประจำตัวผู้เสียภาษี 0105551234567 ด้วยครับ 🙏',
        quoted: 'ส่งจาก iPhone ของฉัน',
      },
    },
    {
      file: 'charset-iso-8859-1.eml',
      expected: {
        subject: 'Réclamation: café machine',
        from: { address: 'juergen@example.de', name: 'Jürgen Müller' },
        text: 'Hello,\n\nthe café machine I bought (order 10047) arrived broken. Können Sie helfen?\n\nRegards,\nJürgen\n\n-- \nJürgen Müller\nMüller Kaffeehaus GmbH · Köln',
        newText: 'Hello,\n\nthe café machine I bought (order 10047) arrived broken. Können Sie helfen?\n\nRegards,\nJürgen',
        quoted: '-- \nJürgen Müller\nMüller Kaffeehaus GmbH · Köln',
      },
    },
  ];
  test.each(cases)('$file', async ({ file, expected }) => {
    const { mail } = await parseFixture(file);
    expect(mail).toMatchObject(expected);
  });
});

describe('structure', () => {
  test('multipart/alternative with an inline image in multipart/related, and a PDF', async () => {
    const { mail, files } = await parseFixture('related-cid.eml');
    expect(mail).toMatchObject({
      subject: 'รูปสินค้าที่ได้รับเสียหาย',
      from: { address: 'anong@example.co.th', name: 'อนงค์ พ.' },
      text: 'แนบรูปสินค้าที่เสียหายมาให้ค่ะ',
      html: '<p>แนบรูปสินค้าที่เสียหายมาให้ค่ะ</p><p><img src="cid:damage-1@example.co.th" alt="damage"></p>',
      attachments: [
        {
          filename: 'damage-1.png',
          contentType: 'image/png',
          contentId: 'damage-1@example.co.th',
          inline: true,
          size: PNG.length,
          sha256: sha256(PNG),
        },
        { filename: 'ใบเสร็จ.pdf', contentType: 'application/pdf', contentId: null, inline: false, size: PDF.length, sha256: sha256(PDF) },
      ],
    });
    const [image, pdf] = mail.attachments;
    expect(files.get(image!.ref)).toEqual({
      meta: { filename: 'damage-1.png', contentType: 'image/png', contentId: 'damage-1@example.co.th', inline: true },
      bytes: PNG,
    });
    expect(files.get(pdf!.ref)!.bytes).toEqual(PDF);
  });

  test('a forward as attachment keeps the mail as a message/rfc822 file', async () => {
    const { mail, files } = await parseFixture('forwarded-attached.eml');
    expect(mail).toMatchObject({
      subject: 'Fwd: ปัญหาการจัดส่ง',
      text: 'ส่งต่ออีเมลจากขนส่งมาให้ดูครับ',
      newText: 'ส่งต่ออีเมลจากขนส่งมาให้ดูครับ',
      quoted: null,
      attachments: [{ filename: 'ปัญหาการจัดส่ง.eml', contentType: 'message/rfc822', contentId: null, inline: false }],
    });
    expect(files.get(mail.attachments[0]!.ref)!.bytes.toString()).toContain('Message-ID: <courier-7788@courier.example>');
  });

  test('an inline message/rfc822 is opened into the text, headers first', async () => {
    const { mail } = await parseFixture('forwarded-rfc822-inline.eml');
    expect(mail.attachments).toEqual([]);
    expect(mail.text).toBe(
      'ส่งต่ออีเมลจากขนส่งมาให้ดูครับ\n\n\nFrom: "Fast Courier" <noreply@courier.example>\nSubject: ปัญหาการจัดส่ง\nDate: Sun, 17 Mar 2024 01:00:00 GMT\nTo: manop@example.com\n\nไม่สามารถจัดส่งพัสดุ TH123456789 ได้ เนื่องจากไม่มีผู้รับ',
    );
    // A forward is content: nothing of it is folded away.
    expect(mail.newText).toContain('ไม่สามารถจัดส่งพัสดุ TH123456789 ได้');
    expect(mail.quoted).toBeNull();
  });

  test('an inline Gmail forward stays in newText, its own quotes included', async () => {
    const { mail } = await parseFixture('forwarded-inline-gmail.eml');
    expect(mail.newText).toBe(mail.text);
    expect(mail.newText).toMatch(
      /^The tracking number below does not work\. Can you check\?\n\n---------- Forwarded message ---------\nFrom: Shop/,
    );
    expect(mail.newText).toMatch(/> Please ship to my office\.$/);
    expect(mail.quoted).toBeNull();
  });

  test('HTML with script, handlers and a tracking pixel: kept raw in html, none of it in the text', async () => {
    const { mail } = await parseFixture('html-only-script.eml');
    expect(mail.html).toContain('<script>document.write("script text");');
    expect(mail.html).toContain(`onerror="alert('img onerror')"`);
    expect(mail.html).toContain('https://tracker.example/open.gif?id=abc123');
    expect(mail.text).toBe(
      [
        'Promotion question',
        'Hello & good day,',
        'Is the 50% off deal still valid? This one.',
        '- Item A',
        '- Item B',
        'Order 10051',
        'Thanks',
        'Reader',
        'On Sun, Mar 24, 2024 at 9:00 AM Omnidesk Support <support@desk.example.com> wrote:',
        '> Our promotion ends on Sunday.',
        '> Regards',
      ].join('\n'),
    );
    for (const hidden of [
      'script text',
      'inline script',
      'alert',
      'steal',
      'styled text',
      'noscript',
      'Internal title',
      'tracker.example',
      'comment',
    ]) {
      expect(mail.text).not.toContain(hidden);
    }
    expect(mail.newText).toBe(
      'Promotion question\nHello & good day,\nIs the 50% off deal still valid? This one.\n- Item A\n- Item B\nOrder 10051\nThanks\nReader',
    );
    expect(mail.quoted).toBe(
      'On Sun, Mar 24, 2024 at 9:00 AM Omnidesk Support <support@desk.example.com> wrote:\n> Our promotion ends on Sunday.\n> Regards',
    );
  });

  test.each([
    ['blocks and breaks', '<p>a</p><p>b</p><div>x<br></div><div><br></div><div>y</div>', 'a\nb\nx\n\ny'],
    [
      'an empty Outlook paragraph is an empty line',
      '<p class=MsoNormal>Hi<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Bye</p>',
      'Hi\n\nBye',
    ],
    ['nested blockquotes', '<blockquote><blockquote>deep</blockquote>mid</blockquote>out', '> > deep\n> mid\nout'],
    ['pre keeps its indentation', '<pre>  a\n    b</pre>', '  a\n    b'],
    ['a quoted ">" inside an attribute', '<a title="a>b">link</a> after', 'link after'],
    ['an apostrophe in an unquoted attribute', "<img alt=Don't src=x>visible", 'visible'],
    ['a bare "<" is text', 'a < b and c > d', 'a < b and c > d'],
    ['entities', '&lt;b&gt; &amp; &#3626;&#x0E27; &unknown;', '<b> & สว &unknown;'],
    ['an unclosed script hides the rest', 'shown<script>var x = "<p>hidden</p>"', 'shown'],
    ['an unfinished tag ends the text', 'shown<p class="a>hidden', 'shown'],
  ])('htmlToText: %s', (_name, html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  test('htmlToText reads a crafted body in linear time', () => {
    // Patterns such as /<[^>]*>/ take minutes on these; one forward scan takes milliseconds.
    for (const html of ['<'.repeat(1_000_000), '<svg>'.repeat(200_000), '<p a="'.repeat(200_000), '<script>'.repeat(200_000)]) {
      expect(htmlToText(`start ${html}`).startsWith('start')).toBe(true);
    }
  });

  test('HTML over maxHtmlBytes is left out of html; its text is still read', async () => {
    const mail = await parseRaw(`From: a@example.com\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>${'สวัสดี '.repeat(100)}</p>`, {
      maxHtmlBytes: 1000,
    });
    expect(mail.html).toBeNull();
    expect(mail.text).toBe('สวัสดี '.repeat(100).trim());
  });
});

describe('replies', () => {
  const cases: Case[] = [
    {
      // Gmail wraps its attribution line; the signature above it goes with it; the sign-off stays.
      file: 'reply-gmail-en.eml',
      expected: {
        messageId: 'CAJx8=Qm3vY0rTq@mail.example.com',
        inReplyTo: '7c1d9e2a-reply@desk.example.com',
        references: ['5b2c8d1f-first@desk.example.com', '7c1d9e2a-reply@desk.example.com'],
        from: { address: 'dao.chen@example.com', name: 'Dao Chen' },
        replyTo: [{ address: 'refunds@example.com', name: null }],
        to: [{ address: 'support@desk.example.com', name: 'Omnidesk Support' }],
        cc: [
          { address: 'accounts@example.com', name: 'Accounts, Example Co.' },
          { address: 'dao.chen@example.com', name: null },
        ],
        newText: 'Thanks, the refund arrived today.\n\nOne more question: can I keep the box?\n\nBest regards,\nDao',
        quoted:
          '--\nDao Chen | Example Co.\n+66 2 123 4567\n\nOn Wed, Mar 20, 2024 at 10:02 AM Omnidesk Support <support@desk.example.com>\nwrote:\n\n> Dear Dao,\n>\n> We have refunded 1,250 THB to your card.\n>\n> Omnidesk Support\n>',
      },
    },
    {
      file: 'reply-outlook-original.eml',
      expected: {
        messageId: '000001da7c2e$3f4a5b60$bddf1120$@example.org',
        subject: 'RE: Invoice 2024-0312 [OD-K7Q2M9XA4T]',
        newText: 'Hi,\n\nPlease send the invoice to our finance team instead.\n\nKind regards\nPeter',
        quoted: expect.stringMatching(
          /^Sent from Mail for Windows\n\n-----Original Message-----\nFrom: Omnidesk Support[\s\S]*Your invoice is attached\.$/,
        ),
      },
    },
    {
      file: 'reply-iphone.eml',
      expected: {
        subject: 'Re: นัดหมายตรวจเช็ค',
        newText: 'วันอังคาร 10 โมง สะดวกครับ',
        quoted: expect.stringMatching(
          /^Sent from my iPhone\n\n> On Mar 22, 2024, at 17:30, Omnidesk Support <support@desk\.example\.com> wrote:\n/,
        ),
      },
    },
  ];
  test.each(cases)('$file', async ({ file, expected }) => {
    const { mail } = await parseFixture(file);
    expect(mail).toMatchObject(expected);
  });

  const splits: Array<{ name: string; text: string; forwarded?: boolean; newText: string; quoted: string | null }> = [
    {
      name: 'Thai Gmail attribution on one line',
      text: 'ได้รับแล้วครับ\n\nเมื่อ จ. 18 มี.ค. 2567 เวลา 10:00 Support <support@desk.example.com> เขียนว่า:\n> ส่งแล้วค่ะ',
      newText: 'ได้รับแล้วครับ',
      quoted: 'เมื่อ จ. 18 มี.ค. 2567 เวลา 10:00 Support <support@desk.example.com> เขียนว่า:\n> ส่งแล้วค่ะ',
    },
    {
      name: 'a trailing "> " block without attribution',
      text: 'Yes please.\n\n> Shall we send a replacement?\n> Support',
      newText: 'Yes please.',
      quoted: '> Shall we send a replacement?\n> Support',
    },
    {
      name: 'bottom posting: the quote on top folds, the answer stays',
      text: 'On Mon, Mar 18, 2024 Support <support@desk.example.com> wrote:\n> Which colour?\n\nBlue, please.',
      newText: 'Blue, please.',
      quoted: 'On Mon, Mar 18, 2024 Support <support@desk.example.com> wrote:\n> Which colour?',
    },
    {
      name: 'interleaved answers keep their questions',
      text: 'On Mon, Mar 18, 2024 Support <support@desk.example.com> wrote:\n> Which colour?\nBlue.\n> Which size?\nL.',
      newText: 'On Mon, Mar 18, 2024 Support <support@desk.example.com> wrote:\n> Which colour?\nBlue.\n> Which size?\nL.',
      quoted: null,
    },
    {
      name: 'Thai and English sign-offs stay; only the delimited signature goes',
      text: 'ขอบคุณครับ\nสมชาย\n\nRegards,\nSomchai\n-- \nSomchai Jaidee\nSales Manager',
      newText: 'ขอบคุณครับ\nสมชาย\n\nRegards,\nSomchai',
      quoted: '-- \nSomchai Jaidee\nSales Manager',
    },
    {
      name: 'Outlook header block in English, without the rule',
      text: 'See below.\n\nFrom: Support <support@desk.example.com>\nSent: Monday, March 18, 2024 10:00 AM\nTo: Peter\nSubject: Order\n\nHello',
      newText: 'See below.',
      quoted: 'From: Support <support@desk.example.com>\nSent: Monday, March 18, 2024 10:00 AM\nTo: Peter\nSubject: Order\n\nHello',
    },
    {
      name: 'the same block under a forwarded subject is the forwarded mail, kept',
      text: 'FYI\n\nFrom: Courier <noreply@courier.example>\nSent: Monday, March 18, 2024 10:00 AM\nTo: Peter\nSubject: Delivery failed\n\nWe could not deliver.',
      forwarded: true,
      newText:
        'FYI\n\nFrom: Courier <noreply@courier.example>\nSent: Monday, March 18, 2024 10:00 AM\nTo: Peter\nSubject: Delivery failed\n\nWe could not deliver.',
      quoted: null,
    },
    {
      name: 'Thai Outlook "-----ข้อความต้นฉบับ-----" and the Thai Outlook mobile footer',
      text: 'รับทราบค่ะ\n\nรับ Outlook สำหรับ Android\n-----ข้อความต้นฉบับ-----\nจาก: Support',
      newText: 'รับทราบค่ะ',
      quoted: 'รับ Outlook สำหรับ Android\n\n-----ข้อความต้นฉบับ-----\nจาก: Support',
    },
    {
      name: 'a "--" far above the end is not a signature',
      text: `Steps:\n--\n${Array.from({ length: 15 }, (_, i) => `step ${i + 1}`).join('\n')}`,
      newText: `Steps:\n--\n${Array.from({ length: 15 }, (_, i) => `step ${i + 1}`).join('\n')}`,
      quoted: null,
    },
    {
      name: 'the customer quoting a website is not an attribution',
      text: 'On your website you wrote:\nFree shipping\nBut I was charged.\n\nในเว็บไซต์เขียนว่า:\nรับประกัน 1 ปี',
      newText: 'On your website you wrote:\nFree shipping\nBut I was charged.\n\nในเว็บไซต์เขียนว่า:\nรับประกัน 1 ปี',
      quoted: null,
    },
    {
      name: 'an attribution without time or address, right above the quote',
      text: 'ขอบคุณครับ\n\nOn Monday, Omnidesk Support wrote:\n> พัสดุจะถึงพรุ่งนี้ครับ',
      newText: 'ขอบคุณครับ',
      quoted: 'On Monday, Omnidesk Support wrote:\n> พัสดุจะถึงพรุ่งนี้ครับ',
    },
    {
      name: 'Thunderbird\'s short "X wrote:" above a trailing quote',
      text: 'Thanks!\n\nOmnidesk Support wrote:\n> Your parcel ships today.',
      newText: 'Thanks!',
      quoted: 'Omnidesk Support wrote:\n> Your parcel ships today.',
    },
    { name: 'nothing to fold', text: 'Just a question.', newText: 'Just a question.', quoted: null },
  ];
  test.each(splits)('splitQuoted: $name', ({ text, forwarded, newText, quoted }) => {
    expect(splitQuoted(text, { forwarded })).toEqual({ newText, quoted });
  });
});

describe('auto-replies', () => {
  const cases: Case[] = [
    {
      file: 'ooo-exchange.eml',
      expected: {
        subject: 'Automatic reply: Your request [OD-K7Q2M9XA4T]',
        from: { address: 'chai.w@example.co.th', name: 'Chai Wattana' },
        inReplyTo: 'b7c8d9e0-request@desk.example.com',
        text: 'I am out of the office until 1 April with limited access to email.\nผมไม่อยู่ที่สำนักงานถึง 1 เมษายน',
        autoReply: { reason: 'auto-submitted' },
        bounce: null,
      },
    },
    {
      // Outlook's client-side rule sends no header that says so; only the subject does.
      file: 'ooo-outlook-thai-subject.eml',
      expected: {
        subject: 'ตอบกลับอัตโนมัติ: การคืนสินค้า [OD-K7Q2M9XA4T]',
        from: { address: 'malee@example.co.th', name: 'มาลี รักดี' },
        autoReply: { reason: 'vacation-subject' },
      },
    },
    {
      file: 'vacation-gmail.eml',
      expected: {
        subject: 'ไม่อยู่ที่สำนักงาน',
        text: 'ลาพักร้อนถึง 5 เมษายน จะตอบกลับเมื่อกลับมาครับ',
        autoReply: { reason: 'auto-submitted' },
      },
    },
  ];
  test.each(cases)('$file', async ({ file, expected }) => {
    const { mail } = await parseFixture(file);
    expect(mail).toMatchObject(expected);
  });

  const headerCases: Array<[string, string, string | null]> = [
    ['Auto-Submitted: auto-replied (vacation)', 'Re: order', 'auto-submitted'],
    ['Auto-Submitted: auto-generated', 'Your report', 'auto-submitted'],
    ['Auto-Submitted: no', 'Re: order', null],
    ['X-Autoreply: yes', 'Re: order', 'x-autoreply'],
    ['X-Autorespond: Out of office', 'Re: order', 'x-autorespond'],
    ['Precedence: bulk', 'Newsletter', 'precedence'],
    ['Precedence: junk', 'Offer', 'precedence'],
    ['Precedence: list', 'Digest', 'precedence'],
    ['Precedence: auto_reply', 'Re: order', 'precedence'],
    ['Precedence: first-class', 'Re: order', null],
    ['X-Auto-Response-Suppress: All', 'Re: order', 'x-auto-response-suppress'],
    ['X-Auto-Response-Suppress: OOF, AutoReply', 'Re: order', 'x-auto-response-suppress'],
    ['List-Id: Customers <customers.lists.example.com>', 'Re: order', 'list'],
    ['List-Unsubscribe: <mailto:leave@lists.example.com>', 'Re: order', 'list'],
    ['X-Other: 1', 'Out of Office: Re: order', 'vacation-subject'],
    ['X-Other: 1', 'Automatic reply: Re: order', 'vacation-subject'],
    ['X-Other: 1', 'Auto: Somchai is out of the office', 'vacation-subject'],
    ['X-Other: 1', 'Out of office', 'vacation-subject'],
    ['X-Other: 1', '[Out of Office] Re: order', 'vacation-subject'],
    ['X-Other: 1', 'ตอบกลับอัตโนมัติ: สอบถาม', 'vacation-subject'],
    ['X-Other: 1', 'ไม่อยู่ที่สำนักงาน', 'vacation-subject'],
    ['X-Other: 1', 'Out of office hours support?', null],
    ['X-Other: 1', 'ไม่อยู่ที่สำนักงาน จะรับพัสดุอย่างไร', null],
    ['X-Other: 1', 'Re: Automatic reply settings', null],
  ];
  test.each(headerCases)('%s / %s → %s', async (header, subject, reason) => {
    const encoded = `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`;
    const mail = await parseRaw(`From: someone@example.com\r\nSubject: ${encoded}\r\n${header}\r\n\r\nBody.\r\n`);
    expect(mail.subject).toBe(subject);
    expect(mail.autoReply).toEqual(reason ? { reason } : null);
  });
});

describe('bounces', () => {
  const cases: Case[] = [
    {
      // RFC 3464 from Postfix: the returned message is read, not kept as an attachment.
      file: 'bounce-postfix-dsn.eml',
      expected: {
        from: { address: 'mailer-daemon@mail.desk.example.com', name: 'Mail Delivery System' },
        subject: 'Undelivered Mail Returned to Sender',
        attachments: [],
        autoReply: { reason: 'auto-submitted' },
        bounce: {
          originalMessageId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@desk.example.com',
          failedRecipients: ['nobody@example.org'],
          status: '5.1.1',
          diagnostic: '550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table',
        },
      },
    },
    {
      // Exchange Online: the original's headers as text/rfc822-headers, a status with three digits.
      file: 'bounce-exchange-ndr.eml',
      expected: {
        subject: 'Undeliverable: Re: Warranty claim [OD-K7Q2M9XA4T]',
        attachments: [],
        bounce: {
          originalMessageId: '0190a1b2-exch-7e5f-8a9b-0c1d2e3f4a5b@desk.example.com',
          failedRecipients: ['wanchai@example.net'],
          status: '5.1.10',
          diagnostic: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
        },
      },
    },
    {
      file: 'bounce-gmail-legacy.eml',
      expected: {
        from: { address: 'mailer-daemon@googlemail.com', name: 'Mail Delivery Subsystem' },
        subject: 'Delivery Status Notification (Failure)',
        quoted: expect.stringMatching(/^----- Original message -----\n/),
        bounce: {
          originalMessageId: '0190a1b2-gmail-7e5f-8a9b-0c1d2e3f4a5b@desk.example.com',
          failedRecipients: ['ghost@example.com'],
          status: '5.1.1',
          diagnostic: '550 5.1.1 <ghost@example.com>: Recipient address rejected: User unknown in local recipient table',
        },
      },
    },
    {
      file: 'bounce-qmail.eml',
      expected: {
        from: { address: 'mailer-daemon@mail.example.net', name: null },
        subject: 'failure notice',
        quoted: expect.stringMatching(/^--- Below this line is a copy of the message\.\n/),
        bounce: {
          originalMessageId: '0190a1b2-qmail-7e5f-8a9b-0c1d2e3f4a5b@desk.example.com',
          failedRecipients: ['nobody@example.net'],
          status: '5.1.1',
          diagnostic: '550 5.1.1 <nobody@example.net>... User unknown',
        },
      },
    },
    {
      // "Delayed, still retrying" is a report but not a failure.
      file: 'bounce-postfix-delayed.eml',
      expected: { subject: 'Delayed Mail (still being retried)', attachments: [], autoReply: { reason: 'auto-submitted' }, bounce: null },
    },
  ];
  test.each(cases)('$file', async ({ file, expected }) => {
    const { mail } = await parseFixture(file);
    expect(mail).toMatchObject(expected);
  });

  test('a customer forwarding a bounce is not a bounce', async () => {
    const mail = await parseRaw(
      "From: Dao <dao@example.com>\r\nSubject: Fwd: Undeliverable: Re: order\r\n\r\nWhy does this happen?\r\n\r\nYour message to boss@example.com couldn't be delivered.\r\n",
    );
    expect(mail.bounce).toBeNull();
  });

  test('prose from a mail system naming no recipient and no message is not a bounce', async () => {
    const mail = await parseRaw(
      'From: MAILER-DAEMON@mx.example.net\r\nSubject: Mail delivery failed\r\n\r\nSomething could not be delivered.\r\n',
    );
    expect(mail.bounce).toBeNull();
  });
});

describe('malformed mail', () => {
  test('a multipart without its closing boundary keeps its text and what there is of the attachment', async () => {
    const { mail, files } = await parseFixture('malformed-missing-boundary-end.eml');
    expect(mail).toMatchObject({
      subject: 'Scan of the warranty card',
      text: 'The scan is attached (my phone app keeps crashing, sorry if it is cut off).',
      attachments: [{ filename: 'warranty.jpg', contentType: 'image/jpeg', inline: false }],
    });
    expect(files.get(mail.attachments[0]!.ref)!.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  test('broken base64: characters outside the alphabet are skipped', async () => {
    const { mail, files } = await parseFixture('malformed-broken-base64.eml');
    expect(mail.text).toBe('สวัสดีค่ะ อยากสอบถาม');
    expect(mail.attachments).toMatchObject([{ filename: 'notes.txt', contentType: 'text/plain', size: 11 }]);
    expect(files.get(mail.attachments[0]!.ref)!.bytes.toString()).toBe('hello world');
  });

  test('header garbage: raw TIS-620 subject and name, lines that are not headers, an unreadable date', async () => {
    const { mail } = await parseFixture('malformed-header-garbage.eml');
    expect(mail).toMatchObject({
      messageId: 'form-20240404-0001@web01.example.co.th',
      subject: 'แจ้งปัญหาการชำระเงิน',
      from: { address: 'suda@example.co.th', name: 'สุดา มีสุข' }, // the first of two From headers
      to: [],
      date: null,
      text: 'ชำระเงินแล้วแต่สถานะยังไม่เปลี่ยน\nเลขที่คำสั่งซื้อ 10060',
    });
  });

  test.each([
    [
      'Thai bytes read as windows-874',
      Buffer.from([0xb7, 0xb4, 0xca, 0xcd, 0xba, 0x20, 0xcb, 0xd1, 0xc7, 0xe0, 0xc3, 0xd7, 0xe8, 0xcd, 0xa7]),
      'ทดสอบ หัวเรื่อง',
    ],
    ['Western bytes read as windows-1252', Buffer.from('Café in Zürich', 'latin1'), 'Café in Zürich'],
    ['raw UTF-8 stays UTF-8', Buffer.from('ทดสอบ UTF-8'), 'ทดสอบ UTF-8'],
  ])('a raw 8-bit subject with no charset declared anywhere: %s', async (_name, bytes, subject) => {
    const mail = await parseRaw(Buffer.concat([Buffer.from('From: a@example.com\r\nSubject: '), bytes, Buffer.from('\r\n\r\nBody.\r\n')]));
    expect(mail.subject).toBe(subject);
  });

  test('no From but a body: parsed, from is null (the importer decides)', async () => {
    const { mail } = await parseFixture('malformed-no-from.eml');
    expect(mail).toMatchObject({
      from: null,
      subject: 'Contact form',
      text: 'Name: Somsri\nPhone: 081-234-5678\nMessage: Please call me back about my order.',
    });
  });

  test('a body without any header still parses', async () => {
    const mail = await parseRaw('Hello there\n\nI need help with my order.\n');
    expect(mail).toMatchObject({ from: null, subject: '', messageId: null, date: null, text: 'I need help with my order.' });
  });

  test.each([
    ['no From and no body', 'malformed-nothing.eml'],
    ['an empty file', Buffer.alloc(0)],
    // Without a line break it is all one header block: no sender, no body. (Noise that happens to
    // hold a blank line has a "body" and is parsed leniently, like any mail without a From.)
    [
      'binary noise without a line break',
      Buffer.from(Array.from({ length: 4096 }, (_, i) => [0x00, 0xff, 0x1b, 0x7f, 0x80, 0xfe, 0x3a][i % 7]!)),
    ],
  ])('%s throws UnparseableMailError', async (_name, input) => {
    const parsing = typeof input === 'string' ? parseFixture(input) : parseRaw(input);
    await expect(parsing).rejects.toThrow(UnparseableMailError);
    await expect(parsing).rejects.toThrow('the mail has no sender (From) and no content');
  });
});

describe('streaming', () => {
  const ATTACHMENT_HEAD =
    'From: Big Sender <big@example.com>\r\nSubject: Logs\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n' +
    '--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLogs attached.\r\n' +
    '--x\r\nContent-Type: application/zip; name="logs.zip"\r\nContent-Disposition: attachment; filename="logs.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  const base64Lines = (bytes: Buffer) => Buffer.from(bytes.toString('base64').replace(/.{76}/g, '$&\r\n'));

  test('a 10 MB attachment goes to storeAttachment while the mail is still being read, never held whole', async () => {
    const payload = randomBytes(10 * 1024 * 1024);
    const body = base64Lines(payload);
    const CHUNK = 64 * 1024;
    let pulled = 0; // bytes of the mail read from the source so far
    async function* mail() {
      yield Buffer.from(ATTACHMENT_HEAD);
      for (let at = 0; at < body.length; at += CHUNK) {
        const chunk = body.subarray(at, at + CHUNK);
        pulled += chunk.length;
        yield chunk;
      }
      yield Buffer.from('\r\n--x--\r\n');
    }
    let received = 0;
    let pulledAtFirstChunk: number | null = null;
    let mostAhead = 0; // how far the source ran ahead of the store, in source bytes
    const parsed = await parseMail(Readable.from(mail(), { objectMode: false, highWaterMark: CHUNK }), {
      storeAttachment: async (meta, content) => {
        expect(meta).toEqual({ filename: 'logs.zip', contentType: 'application/zip', contentId: null, inline: false });
        const hash = createHash('sha256');
        for await (const chunk of content) {
          pulledAtFirstChunk ??= pulled;
          received += (chunk as Buffer).length;
          hash.update(chunk as Buffer);
          mostAhead = Math.max(mostAhead, pulled - (received * 78) / 57); // 57 bytes are one 78-byte base64 line
        }
        return { ref: 'disk:logs', size: received, sha256: hash.digest('hex') };
      },
    });
    expect(parsed.text).toBe('Logs attached.');
    expect(parsed.attachments).toEqual([
      {
        filename: 'logs.zip',
        contentType: 'application/zip',
        contentId: null,
        inline: false,
        size: payload.length,
        sha256: sha256(payload),
        ref: 'disk:logs',
      },
    ]);
    // The first bytes reached the store before a quarter of the mail was read, and the parser never
    // held more than a small window: the source is held back until the store has taken its bytes.
    expect(pulledAtFirstChunk).toBeLessThan(body.length / 4);
    expect(mostAhead).toBeLessThan(3 * 1024 * 1024);
  });

  test('a failing store fails the parse with its own error', async () => {
    const raw = `${ATTACHMENT_HEAD}${base64Lines(randomBytes(256 * 1024))}\r\n--x--\r\n`;
    const parsing = parseMail(Readable.from([Buffer.from(raw)]), {
      storeAttachment: async (_meta, content) => {
        for await (const _chunk of content) throw new Error('disk full');
        return { ref: 'never', size: 0, sha256: '' };
      },
    });
    await expect(parsing).rejects.toThrow('disk full');
  });

  test('a store that does not read its stream does not stall the parse', async () => {
    const raw = `${ATTACHMENT_HEAD}${base64Lines(randomBytes(256 * 1024))}\r\n--x--\r\n`;
    const mail = await parseMail(Readable.from([Buffer.from(raw)]), {
      storeAttachment: async () => ({ ref: 'lazy', size: 0, sha256: '' }),
    });
    expect(mail.attachments).toMatchObject([{ filename: 'logs.zip', ref: 'lazy' }]);
  });

  test('a source that breaks off in an attachment fails the parse and ends the stream the store is reading', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from(ATTACHMENT_HEAD));
    source.push(base64Lines(randomBytes(256 * 1024)));
    let storeEnded: (outcome: string) => void;
    const storeOutcome = new Promise<string>((resolve) => (storeEnded = resolve));
    const parsing = parseMail(source, {
      storeAttachment: async (_meta, content) => {
        try {
          for await (const _chunk of content) source.destroy(new Error('IMAP connection lost'));
          storeEnded('finished');
        } catch (err) {
          storeEnded(`failed: ${(err as Error).message}`);
          throw err;
        }
        return { ref: 'partial', size: 0, sha256: '' };
      },
    });
    await expect(parsing).rejects.toThrow('IMAP connection lost');
    expect(await storeOutcome).toBe('failed: IMAP connection lost');
  });

  test('a source that breaks off fails the parse with its error, not UnparseableMailError', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from(ATTACHMENT_HEAD));
    const parsing = parseMail(source, { storeAttachment: memoryStore().storeAttachment });
    source.destroy(new Error('IMAP connection lost'));
    await expect(parsing).rejects.toThrow('IMAP connection lost');
    await expect(parsing).rejects.not.toBeInstanceOf(UnparseableMailError);
  });
});
