// Delivery failure reports about mail we sent. The standard one (RFC 3464, multipart/report with a
// message/delivery-status part) is read field by field. The others are prose: Postfix and Exim
// without DSN, qmail's "Hi. This is the qmail-send program", Gmail's "Delivery Status Notification
// (Failure)", Exchange's "Delivery has failed to these recipients". Prose is trusted only from a
// sender that looks like a mail system (MAILER-DAEMON, postmaster, the null return path <>) or
// under a bounce subject, so a customer forwarding a bounce is not taken for one.
import { localPart } from './addresses.js';
import { firstField, messageIds, parseHeaderBlock, parseHeaderBlocks, type HeaderFields } from './headers.js';

export interface Bounce {
  originalMessageId: string | null;
  failedRecipients: string[];
  status: string | null;
  diagnostic: string | null;
}

export interface BounceEvidence {
  /** Root headers (raw). */
  headers: HeaderFields;
  fromAddress: string | null;
  subject: string;
  /** The message/delivery-status part, when the mail had one. */
  deliveryStatus: string | null;
  /** The returned message's headers (from its message/rfc822 or text/rfc822-headers part). */
  returnedHeaders: string | null;
  text: string;
}

const DAEMON_SENDER = /^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon|mail-delivery-subsystem|microsoftexchange[0-9a-f]*)$/i;
const BOUNCE_SUBJECT =
  /^\s*(?:undeliverable|undelivered mail|delivery status notification \(failure\)|delivery failure|mail delivery failed|failure notice|returned mail|mail delivery failure|delivery has failed|ไม่สามารถส่งได้|ส่งไม่ได้)/i;
// Prose that says a delivery failed for good (a "delayed, will retry" warning says none of these).
const FAILURE_PROSE = new RegExp(
  [
    'could not be delivered',
    "couldn't be delivered",
    "wasn't delivered",
    'was not delivered',
    'failed permanently',
    'permanent (?:error|failure)',
    'delivery has failed',
    'undeliverable',
    "wasn't able to deliver",
    'unable to deliver',
    'returned to sender',
    'address(?:\\(es\\))? failed',
  ]
    .map((p) => p.replace(/ /g, '\\s+'))
    .join('|'),
  'i',
);
const ADDRESS = /[^\s<>()"',;:@]{1,64}@[^\s<>()"',;:@]{1,255}/;
const STATUS_CODE = /\b([45]\.\d{1,3}\.\d{1,3})\b/;
// Reports put their prose first; reading only the start keeps crafted mail from costing much.
const PROSE_BYTES = 16 * 1024;
const cleanAddress = (value: string) => value.replace(/^<|>$/g, '').replace(/\.+$/, '').trim().toLowerCase();

/** `rfc822; user@example.org` → user@example.org */
function recipientOf(value: string | null): string | null {
  if (!value) return null;
  const address = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  const m = ADDRESS.exec(address);
  return m ? cleanAddress(m[0]) : null;
}

/** `smtp; 550 5.1.1 <x>: user unknown` → `550 5.1.1 <x>: user unknown` */
const diagnosticOf = (value: string | null) => value?.replace(/^\s*(?:smtp|x-[\w-]+|unknown)\s*;\s*/i, '').trim() || null;

function fromDeliveryStatus(report: string): Omit<Bounce, 'originalMessageId'> | null {
  const recipients = parseHeaderBlocks(report).filter((b) => b.has('final-recipient') || b.has('original-recipient'));
  const failed = recipients.filter((b) => {
    const action = firstField(b, 'action')?.toLowerCase().trim();
    // A report without Action (older MTAs) fails on a permanent status.
    return action ? action.startsWith('failed') : /^5\./.test(firstField(b, 'status') ?? '');
  });
  if (failed.length === 0) return null; // delayed, relayed or delivered: not a failure
  const first = failed[0]!;
  return {
    failedRecipients: [
      ...new Set(failed.map((b) => recipientOf(firstField(b, 'final-recipient') ?? firstField(b, 'original-recipient')))),
    ].filter((a): a is string => a !== null),
    status: STATUS_CODE.exec(firstField(first, 'status') ?? '')?.[1] ?? null,
    diagnostic: diagnosticOf(firstField(first, 'diagnostic-code')),
  };
}

// qmail, and Postfix's text part: "<user@example.org>:" then the reason, possibly over several lines.
const ANGLE_RECIPIENT = /^<([^<>\s@]{1,64}@[^<>\s@]{1,255})>:[ \t]*((?:.*)(?:\n(?![ \t]*\n|<)[^\n]*)*)/gm;
// The others name the addresses after a heading or inside a sentence.
const NAMED_RECIPIENT: RegExp[] = [
  // Gmail "…failed permanently:", Exim "The following address(es) failed:", Exchange "…recipients or groups:"
  /(?:failed permanently|address(?:\(es\))? failed|recipients or groups)\s*:\s*\n[\s\S]{0,200}?([^\s<>()"':;,@]{1,64}@[^\s<>()"':;,@]{1,255})/gi,
  // Gmail "Your message wasn't delivered to user@example.org because…", Exchange "Your message to user@example.org couldn't be delivered."
  /(?:wasn't delivered to|message to)\s+<?([^\s<>()"':;,@]{1,64}@[^\s<>()"':;,@]{1,255}?)>?\s+(?:because|couldn't be delivered)/gi,
];
const DIAGNOSTIC_LINES: RegExp[] = [
  /^Remote host said:\s*(.+)$/im, // qmail
  /^\s*The (?:response from the remote server|error that the other server returned) was:\s*\n\s*(.+)$/im, // Gmail
  /Remote Server returned '([^']+)'/i, // Exchange
  /^\s*SMTP error from remote mail server[^\n]*\n\s*(\d{3}[ -].+)$/im, // Exim
  /^Technical details of permanent failure:\s*\n\s*(.+)$/im, // Gmail (older)
];
// Where the prose shapes append the returned message.
const RETURNED_MESSAGE =
  /^(?:--- Below this line is a copy of the message\.|-+ ?(?:Original message|This is a copy of the message, including all the headers\.) ?-+|Original message headers:)\s*$/im;

function fromProse(text: string): Omit<Bounce, 'originalMessageId'> | null {
  if (!FAILURE_PROSE.test(text)) return null;
  const failedRecipients = new Set<string>();
  let reason: string | null = null;
  for (const m of text.matchAll(ANGLE_RECIPIENT)) {
    failedRecipients.add(cleanAddress(m[1]!));
    reason ??= m[2]!.replace(/\s+/g, ' ').trim() || null;
  }
  for (const re of NAMED_RECIPIENT) for (const m of text.matchAll(re)) failedRecipients.add(cleanAddress(m[1]!));
  const diagnostic = DIAGNOSTIC_LINES.map((re) => re.exec(text)?.[1]?.trim()).find(Boolean) ?? reason;
  return {
    failedRecipients: [...failedRecipients],
    status: STATUS_CODE.exec(diagnostic ?? '')?.[1] ?? STATUS_CODE.exec(text)?.[1] ?? null,
    diagnostic,
  };
}

/** The Message-ID of the returned message: from its headers part, else from a copy in the prose. */
function originalMessageIdOf(evidence: BounceEvidence): string | null {
  if (evidence.returnedHeaders) {
    const id = messageIds(firstField(parseHeaderBlock(evidence.returnedHeaders), 'message-id'))[0];
    if (id) return id;
  }
  const text = evidence.text.slice(0, 4 * PROSE_BYTES);
  const copy = RETURNED_MESSAGE.exec(text);
  const where = copy ? text.slice(copy.index) : text;
  const line = /^\s*Message-ID:\s*(<[^<>\s]+>)/im.exec(where);
  if (line) return messageIds(line[1])[0] ?? null;
  // Some reports (Gmail's among them) answer the original: their In-Reply-To names it.
  return messageIds(firstField(evidence.headers, 'in-reply-to'))[0] ?? null;
}

/** Prose is trusted only from a mail system (by its address or the null return path) or under a bounce subject. */
function fromMailSystem(evidence: BounceEvidence): boolean {
  const rawFrom = firstField(evidence.headers, 'from') ?? '';
  const nullReturnPath = (evidence.headers.get('return-path') ?? []).some((v) => /^<\s*>$/.test(v.trim()));
  return (
    DAEMON_SENDER.test(evidence.fromAddress ? localPart(evidence.fromAddress) : '') ||
    /^\W*(?:mailer-daemon|postmaster)\b/i.test(rawFrom) ||
    nullReturnPath ||
    BOUNCE_SUBJECT.test(evidence.subject)
  );
}

/** The report's own words: the returned copy below them is our mail, not evidence. */
function reportProse(text: string): string {
  const start = text.slice(0, PROSE_BYTES);
  const copy = RETURNED_MESSAGE.exec(start);
  return copy ? start.slice(0, copy.index) : start;
}

export function detectBounce(evidence: BounceEvidence): Bounce | null {
  const found = evidence.deliveryStatus
    ? fromDeliveryStatus(evidence.deliveryStatus)
    : fromMailSystem(evidence)
      ? fromProse(reportProse(evidence.text))
      : null;
  if (!found) return null;
  const originalMessageId = originalMessageIdOf(evidence);
  // Prose that names no recipient is a bounce only if it names the message that failed.
  if (found.failedRecipients.length === 0 && !originalMessageId) return null;
  return { originalMessageId, ...found };
}
