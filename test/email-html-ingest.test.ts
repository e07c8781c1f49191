// An email's HTML body through the ingest use case on a running node (both engines): what is stored
// is the sanitized HTML, never the original, and the message's text, which search and previews
// read, comes from the HTML when the mail has no text part.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InboundMessage, MessagePart } from '../server/domain/types.js';
import { MAX_HTML_CHARS, makeIngestMessage } from '../server/usecases/ingest-message.js';
import { ENGINES, startTestServer, type TestServer } from './support/harness.js';

const HOSTILE_EMAIL = [
  '<html><head><title>Order shipped</title><style>body{background:url(https://track.example/open.gif)}</style>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/"></head><body>',
  '<table width="600" cellpadding="0"><tr><td style="color:#0a3d62;background-image:url(https://track.example/bg.gif)">',
  '<p>เรียนคุณมาลี พัสดุหมายเลข <b>TH889</b> ถึงศูนย์กระจายสินค้าแล้ว &amp; จะส่งพรุ่งนี้</p>',
  '<img src="x" onerror="stealCookies()"><img src="https://cdn.shop.example/banner.png" alt="Sale">',
  '<a href="JaVaScRiPt:stealCookies()">ติดตามพัสดุ</a> <a href="https://shop.example/track/TH889">track</a>',
  '<script>stealCookies()</script><form action="https://evil.example/"><input name="password"></form>',
  '</td></tr></table></body></html>',
].join('');

describe.each(ENGINES)('an email with an HTML body on %s', (engine) => {
  let server: TestServer;
  let admin: string;
  let accountId: string;
  let ingest: ReturnType<typeof makeIngestMessage>;
  let ids = 0;

  beforeAll(async () => {
    server = await startTestServer(engine);
    admin = await server.api.login();
    // Email has no adapter yet: its account and messages go through the store and the ingest use case.
    accountId = (
      await server.store.channelAccounts.create(
        { kind: 'email', name: 'Support mailbox', settings: {}, credentialsSealed: null },
        Date.now(),
      )
    ).id;
    ingest = makeIngestMessage({ store: server.store, events: server.events, now: Date.now }, { reopenWindowMs: 72 * 3_600_000 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const email = (from: string, parts: MessagePart[]): InboundMessage => ({
    channelAccountId: accountId,
    channelKind: 'email',
    providerMessageId: `<${++ids}.${from}>`,
    sender: { identity: { kind: 'email', scope: '', value: from }, name: 'มาลี ใจงาม' },
    parts,
    subject: 'Order shipped',
    sentAt: Date.now(),
  });
  const search = async (q: string) =>
    (await server.api.request('GET', `/api/v1/conversations?q=${encodeURIComponent(q)}`, { token: admin })).body.conversations.map(
      (c: { id: string }) => c.id,
    );

  test('only sanitized HTML is stored, and its text is searchable', async () => {
    const { message, conversation } = await ingest(email('malee@example.com', [{ type: 'html', html: HOSTILE_EMAIL }]));

    const stored = await server.store.messages.findById(message.id);
    expect(stored!.parts).toEqual(message.parts);
    expect(stored!.parts).toHaveLength(1);
    const part = stored!.parts[0]!;
    if (part.type !== 'html') throw new Error(`expected an html part, got ${part.type}`);
    for (const gone of [
      /stealCookies/,
      /<script/i,
      /onerror/i,
      /javascript:/i,
      /<form/i,
      /<input/i,
      /<meta/i,
      /<style/i,
      /url\(/,
      /track\.example/,
    ]) {
      expect(part.html).not.toMatch(gone);
    }
    for (const kept of [
      '<p>เรียนคุณมาลี พัสดุหมายเลข <b>TH889</b> ถึงศูนย์กระจายสินค้าแล้ว &amp; จะส่งพรุ่งนี้</p>',
      '<img src="https://cdn.shop.example/banner.png" alt="Sale" />',
      '<a href="https://shop.example/track/TH889" target="_blank" rel="noopener noreferrer">track</a>',
      '<td style="color:#0a3d62">',
    ]) {
      expect(part.html).toContain(kept);
    }

    // The text is the mail as a reader sees it: entities decoded, no tags, nothing from the head.
    expect(stored!.text).toBe('เรียนคุณมาลี พัสดุหมายเลข TH889 ถึงศูนย์กระจายสินค้าแล้ว & จะส่งพรุ่งนี้\nติดตามพัสดุ track');
    expect(await search('ศูนย์กระจายสินค้า')).toEqual([conversation.id]);
    expect(await search('stealCookies')).toEqual([]);

    // The conversation as the console reads it carries the same sanitized part.
    const read = await server.api.request('GET', `/api/v1/conversations/${conversation.id}`, { token: admin });
    expect(read.body.messages.map((m: { parts: MessagePart[] }) => m.parts)).toEqual([[part]]);
  });

  test("a mail's text part is its text; the HTML body is kept beside it", async () => {
    const { message } = await ingest(
      email('somchai@example.com', [
        { type: 'text', text: 'Plain alternative of the mail' },
        { type: 'html', html: '<p onclick="x()">HTML <i>alternative</i></p>' },
      ]),
    );
    expect(message.text).toBe('Plain alternative of the mail');
    expect(message.parts).toEqual([
      { type: 'text', text: 'Plain alternative of the mail' },
      { type: 'html', html: '<p>HTML <i>alternative</i></p>' },
    ]);
  });

  test('an HTML body over the limit, or one with nothing left once sanitized, is refused and nothing is stored', async () => {
    const huge = email('big@example.com', [{ type: 'html', html: `<p>${'x'.repeat(MAX_HTML_CHARS)}</p>` }]);
    await expect(ingest(huge)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const empty = email('empty@example.com', [{ type: 'html', html: '<script>stealCookies()</script><style>p{}</style>' }]);
    await expect(ingest(empty)).rejects.toMatchObject({ code: 'VALIDATION' });
    for (const m of [huge, empty]) expect(await server.store.messages.findByProviderId(accountId, m.providerMessageId)).toBeUndefined();
  });
});
