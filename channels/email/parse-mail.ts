// One raw RFC 5322 mail in, one plain typed result out; no database, no network. The mail streams
// through mailparser's MailParser: each attachment's bytes go straight to `storeAttachment` as they
// are decoded (the parser waits for it), so a large attachment is never held in memory. Text bodies
// are held, as they must be to be read.
//
// Lenient by design: a mail is parsed with whatever can be read (an unterminated multipart, broken
// base64, garbage or raw 8-bit header lines, a missing From, Date or Message-ID: those come back
// null). UnparseableMailError is thrown only when nothing usable is left: no sender and no content
// at all, or a structure mailparser refuses (a header block over 1 MB, more than 1000 parts). An
// error of the source stream or of storeAttachment is I/O, not the mail's fault: it is rethrown as is.
import {
  MailParser,
  type AddressObject,
  type AttachmentStream,
  type Headers,
  type HeaderLines,
  type MessageText,
  type StructuredHeader,
} from 'mailparser';
import { mailAddresses } from './addresses.js';
import { detectAutoReply, type AutoReplyReason } from './auto-reply.js';
import { detectBounce, type Bounce } from './bounce.js';
import { CharsetDecodeStream, decodeHeaderText } from './charsets.js';
import { fieldsOfLines, firstField, messageIds, parseDate, type HeaderFields } from './headers.js';
import { htmlToText } from '../../server/domain/html-text.js';
import { splitQuoted } from './quotes.js';

export interface MailAddress {
  /** Lower-cased. */
  address: string;
  name: string | null;
}

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  sha256: string;
  /** Where the bytes went (what `storeAttachment` answered). */
  ref: string;
}

export interface ParsedMail {
  /** Without angle brackets. */
  messageId: string | null;
  /** Without angle brackets. */
  inReplyTo: string | null;
  /** Without angle brackets, in order. */
  references: string[];
  /** Decoded (RFC 2047); '' when missing. */
  subject: string;
  from: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  /** Epoch ms; null when missing or unreadable. */
  date: number | null;
  /** The whole plain text: the text/plain body, or the text of the HTML body when there is none. */
  text: string;
  /** What the sender wrote now: quoted history, a "-- " signature and device footers folded away. */
  newText: string;
  /** What was folded away (the console shows it collapsed). */
  quoted: string | null;
  /** The raw HTML body, NOT sanitized: whoever stores or shows it sanitizes it first. */
  html: string | null;
  /** In MIME order; inline images (cid) have inline=true and their contentId. */
  attachments: ParsedAttachment[];
  autoReply: null | { reason: AutoReplyReason };
  bounce: null | Bounce;
}

export interface AttachmentMeta {
  filename: string;
  contentType: string;
  contentId: string | null;
  inline: boolean;
}

export interface ParseMailOptions {
  /** Streams one attachment's bytes somewhere; must read `content` to its end. */
  storeAttachment: (meta: AttachmentMeta, content: NodeJS.ReadableStream) => Promise<{ ref: string; size: number; sha256: string }>;
  /** An HTML body larger than this is not returned in `html` (its text still is). Default 2 MiB. */
  maxHtmlBytes?: number;
}

/** The mail has nothing usable, or a structure the parser refuses. The message says which. */
export class UnparseableMailError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnparseableMailError';
  }
}

const DEFAULT_MAX_HTML_BYTES = 2 * 1024 * 1024;
// A delivery report's machine-readable parts are small; a longer one is cut, not held whole.
const MAX_REPORT_PART_BYTES = 64 * 1024;

// Inside a delivery report these parts are read for the bounce, not kept as attachments: the status
// is summarised in `bounce`, and the returned message is a copy of our own mail.
const DELIVERY_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers']);

const FORWARD_SUBJECT = /^\s*(?:fwd?|fw|ส่งต่อ|wg|tr|rv|enc)\s*:/i;

const DEFAULT_NAMES: Record<string, string> = {
  'message/rfc822': 'message.eml',
  'message/global': 'message.eml',
  'text/calendar': 'invite.ics',
  'text/plain': 'attachment.txt',
  'text/html': 'attachment.html',
  'application/pdf': 'attachment.pdf',
  'image/png': 'image.png',
  'image/jpeg': 'image.jpg',
  'image/gif': 'image.gif',
  'image/webp': 'image.webp',
};

/** A file name safe to show and to offer for download: no directories, no control characters. */
function filenameOf(a: AttachmentStream, contentType: string): string {
  const base = (a.filename ?? '')
    .split(/[/\\]/)
    .pop()!
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 255);
  return base && base !== '.' && base !== '..' ? base : (DEFAULT_NAMES[contentType] ?? 'attachment');
}

/** Reads up to `limit` bytes of a stream as text and drains the rest. */
function readHead(content: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    content.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    });
    content.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    content.once('error', reject);
  });
}

/** The header block at the top of a returned message or headers part. */
const headerPart = (text: string) => text.split(/\r?\n\r?\n/, 1)[0]!;

export async function parseMail(source: NodeJS.ReadableStream, opts: ParseMailOptions): Promise<ParsedMail> {
  const maxHtmlBytes = opts.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES;
  const parser = new MailParser({
    Iconv: CharsetDecodeStream,
    keepDeliveryStatus: true,
    skipHtmlToText: true, // the HTML's text is ours (html-text.ts), without image URLs or upper-cased headings
    skipTextToHtml: true,
    skipImageLinks: true,
    checksumAlgo: false, // storeAttachment hashes what it stores
  });
  let headers: Headers = new Map();
  let headerLines: HeaderLines = [];
  let isDeliveryReport = false;
  let body = null as MessageText | null;
  let deliveryStatus: string | null = null;
  let returnedHeaders: string | null = null;
  const stored: Promise<ParsedAttachment | null>[] = [];

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    // Attachment streams still being read: a failure ends them too, so a store does not wait forever.
    const reading = new Set<AttachmentStream['content']>();
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      (source as { destroy?: () => void }).destroy?.();
      parser.destroy();
      for (const content of reading) content.destroy(err instanceof Error ? err : new Error(String(err)));
      reject(err);
    };
    const track = (a: AttachmentStream) => {
      reading.add(a.content);
      a.content.once('close', () => reading.delete(a.content));
      a.content.once('end', () => reading.delete(a.content));
    };

    const readReportPart = (a: AttachmentStream, contentType: string) => {
      track(a);
      const part = readHead(a.content, MAX_REPORT_PART_BYTES).then((text) => {
        if (DELIVERY_STATUS.has(contentType)) deliveryStatus ??= text;
        else returnedHeaders ??= headerPart(text);
        return null;
      });
      part.finally(() => a.release?.()).catch(fail);
      stored.push(part);
    };

    const storeAttachment = (a: AttachmentStream, contentType: string) => {
      const contentId = a.cid?.trim() || null;
      const meta: AttachmentMeta = {
        filename: filenameOf(a, contentType),
        contentType,
        contentId,
        inline: contentId !== null && (a.related === true || a.contentDisposition === 'inline'),
      };
      // The parser goes on once the attachment is released: when its bytes have all been read, or
      // when storeAttachment settles without reading them all (a misbehaving store must not hang us).
      track(a);
      a.content.once('end', () => a.release?.());
      // new Promise: a store that throws before its first await fails the parse like one that rejects
      const part = new Promise<{ ref: string; size: number; sha256: string }>((resolve) =>
        resolve(opts.storeAttachment(meta, a.content)),
      ).then((where) => ({ ...meta, ref: where.ref, size: where.size, sha256: where.sha256 }));
      part.finally(() => a.release?.()).catch(fail);
      stored.push(part);
    };

    source.on('error', fail);
    parser.on('error', (err: Error) => fail(new UnparseableMailError(`the mail could not be parsed: ${err.message}`, { cause: err })));
    parser.on('headers', (h) => {
      headers = h;
      const type = h.get('content-type') as StructuredHeader | undefined;
      isDeliveryReport = type?.value === 'multipart/report' && type.params['report-type']?.toLowerCase() === 'delivery-status';
    });
    parser.on('headerLines', (lines) => (headerLines = lines));
    parser.on('data', (data) => {
      if (data.type === 'text') {
        body = data;
        return;
      }
      const contentType = data.contentType.toLowerCase();
      if (isDeliveryReport && (DELIVERY_STATUS.has(contentType) || RETURNED.has(contentType))) readReportPart(data, contentType);
      else storeAttachment(data, contentType);
    });
    parser.on('end', () => resolve());
    source.pipe(parser);
  });
  const attachments = (await Promise.all(stored)).filter((a): a is ParsedAttachment => a !== null);
  return assemble({ headers, fields: fieldsOfLines(headerLines), body, attachments, deliveryStatus, returnedHeaders, maxHtmlBytes });
}

interface Parts {
  headers: Headers;
  /** The same headers raw, for what mailparser's parsed form loses. */
  fields: HeaderFields;
  body: MessageText | null;
  attachments: ParsedAttachment[];
  deliveryStatus: string | null;
  returnedHeaders: string | null;
  maxHtmlBytes: number;
}

function assemble(p: Parts): ParsedMail {
  const raw = (name: string) => p.fields.get(name) ?? [];
  const type = p.headers.get('content-type') as StructuredHeader | undefined;
  const declaredCharset = type?.params.charset ?? null;
  const addresses = (name: string) =>
    mailAddresses(p.headers.get(name) as AddressObject | AddressObject[] | undefined, raw(name), declaredCharset);

  let subject = ((p.headers.get('subject') as string | undefined) ?? '').replace(/\s+/g, ' ').trim();
  // mailparser replaces what it cannot decode (raw 8-bit bytes, a charset libmime does not know).
  if (subject.includes('\uFFFD') && raw('subject')[0]) subject = decodeHeaderText(raw('subject')[0]!, declaredCharset);

  const rawHtml = p.body?.html || null;
  const html = rawHtml && Buffer.byteLength(rawHtml) <= p.maxHtmlBytes ? rawHtml : null;
  let text = (p.body?.text ?? '').replace(/\r\n?/g, '\n').trimEnd();
  if (!text.trim() && rawHtml) text = htmlToText(rawHtml);
  text = text.replace(/^(?:[ \t]*\n)+/, '');

  const from = addresses('from')[0] ?? addresses('sender')[0] ?? null;
  if (!from && !text.trim() && !rawHtml && p.attachments.length === 0) {
    throw new UnparseableMailError('the mail has no sender (From) and no content');
  }
  const { newText, quoted } = splitQuoted(text, { forwarded: FORWARD_SUBJECT.test(subject) });
  return {
    messageId: messageIds(firstField(p.fields, 'message-id'))[0] ?? null,
    inReplyTo: messageIds(firstField(p.fields, 'in-reply-to'))[0] ?? null,
    references: messageIds(raw('references').join(' ')),
    subject,
    from,
    replyTo: addresses('reply-to'),
    to: addresses('to'),
    cc: addresses('cc'),
    date: parseDate(firstField(p.fields, 'date')),
    text,
    newText,
    quoted,
    html,
    attachments: p.attachments,
    autoReply: detectAutoReply(p.fields, subject),
    bounce: detectBounce({
      headers: p.fields,
      fromAddress: from?.address ?? null,
      subject,
      deliveryStatus: p.deliveryStatus,
      returnedHeaders: p.returnedHeaders,
      text,
    }),
  };
}
