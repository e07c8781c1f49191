// What the sender wrote now, apart from the history their client quoted below it and from a
// delimited signature or device footer. Conservative by design: what is folded away is still shown
// (collapsed), but what stays is all an agent reads first, so a doubtful line stays. Sign-offs
// ("Regards, Somchai", "ขอบคุณครับ") are the sender's words and stay; only "-- " signatures and
// "Sent from my iPhone"-style footers go.

export interface QuoteSplit {
  newText: string;
  quoted: string | null;
}

// An attribution line, possibly wrapped over up to three lines ("On …, Somchai <s@x> wrote:"). Mail
// clients always put a time or an address in it, which "On your website you wrote:" lacks.
const ATTRIBUTION_DETAIL = /@|\d{1,2}[:.]\d{2}/;
// Thunderbird's short form ("Somchai wrote:") and its kin, recognised just above a quote block.
const ATTRIBUTION_VERB = /(?:\bwrote|\bschrieb|\ba écrit|\bescribió|เขียน(?:ว่า)?)\s*:$/i;
const ATTRIBUTION = [
  /^On\b.{4,400}\bwrote\s*:$/i,
  /^(?:เมื่อ|ใน|วันที่).{4,400}เขียน(?:ว่า)?\s*:$/,
  /^Am\b.{4,400}\bschrieb\b.{0,200}:$/i,
  /^Le\b.{4,400}\ba écrit\s*:$/i,
  /^El\b.{4,400}\bescribió\s*:$/i,
  /^\d{4}年\d{1,2}月\d{1,2}日.{2,400}(?:<[^<>\s]+@[^<>\s]+>|のメッセージ)\s*[:：]$/,
];
// Outlook and Thunderbird put this above the history ("-----ข้อความต้นฉบับ-----" in Thai Outlook);
// delivery reports above the copy of the message they return.
const ORIGINAL = [
  /^-{3,}\s*(?:Original Message|ข้อความต้นฉบับ|Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{3,}$/i,
  /^-{2,}\s*(?:Below this line is a copy of the message\.|This is a copy of the message, including all the headers\.)\s*-*$/i,
];
// Outlook's header block: From, then Sent/Date and To/Subject lines (Thai Outlook: จาก, ส่ง, ถึง, เรื่อง).
const HEADER_FROM = /^\*?(?:From|จาก|Von|De)\s*:\*?\s*\S/i;
const HEADER_SENT = /^\*?(?:Sent|Date|ส่ง|ส่งเมื่อ|วันที่|Gesendet|Envoyé)\s*:/i;
const HEADER_OTHER = /^\*?(?:To|Cc|Subject|ถึง|สำเนาถึง|เรื่อง|หัวเรื่อง|An|Betreff|À|Objet)\s*:/i;
const RULE = /^_{10,}$/;
const FORWARD = [
  /^-{3,}\s*(?:Forwarded message|ข้อความที่ส่งต่อ|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado)\s*-{3,}$/i,
  /^-{3,}\s*Forwarded Message\s*-{3,}$/i,
  /^Begin forwarded message\s*:$/i,
];
const SIGNATURE = /^--\s*$/;
const DEVICE_FOOTER = [
  /^Sent from (?:my |Mail for |Outlook for |Yahoo Mail |Samsung |Gmail|AOL |the )/i,
  /^Get Outlook for (?:iOS|Android)\b/i,
  /^ส่งจาก.{1,40}ของฉัน$/,
  /^(?:ส่งจาก|รับ) Outlook สำหรับ (?:iOS|Android)\b/,
  /^(?:Von meinem .{1,40} gesendet|Envoyé de mon .{1,40}|Enviado desde mi .{1,40}|iPhoneから送信)$/i,
];
const MAX_SIGNATURE_LINES = 12;

const isQuoted = (line: string) => /^\s*>/.test(line);
const isBlank = (line: string) => line.trim() === '';

/** How many lines (1–3) starting at `i` form an attribution, or 0. */
function attributionAt(lines: string[], i: number): number {
  for (let n = 1; n <= 3 && i + n <= lines.length; n++) {
    const joined = lines
      .slice(i, i + n)
      .map((l) => l.trim())
      .join(' ');
    if (joined.length > 500) return 0;
    if (!ATTRIBUTION.some((re) => re.test(joined))) continue;
    // Without a time or an address ("On Monday, Support wrote:"), only a quote right below makes it one.
    const next = lines.slice(i + n, i + n + 3).find((l) => !isBlank(l));
    if (ATTRIBUTION_DETAIL.test(joined) || (next !== undefined && isQuoted(next))) return n;
  }
  return 0;
}

function headerBlockAt(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i]!.trim())) return false;
  const next = lines.slice(i + 1, i + 6).map((l) => l.trim());
  return next.some((l) => HEADER_SENT.test(l)) && next.some((l) => HEADER_OTHER.test(l));
}

type Marker = { at: number; kind: 'history' | 'forward' };

/** The first line where quoted history (or a forwarded message) begins, if any. */
function findMarker(lines: string[], forwarded: boolean): Marker | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (FORWARD.some((re) => re.test(line))) return { at: i, kind: 'forward' };
    if (ORIGINAL.some((re) => re.test(line)) || headerBlockAt(lines, i)) {
      // Outlook uses the same block for forwards; the subject tells them apart.
      const at = i > 0 && RULE.test(lines[i - 1]!.trim()) ? i - 1 : i;
      return { at, kind: forwarded ? 'forward' : 'history' };
    }
    const n = attributionAt(lines, i);
    if (n > 0) {
      // Quoted lines followed by more of the sender's text: an answer below or between the quotes.
      // Only the quote at the very top (bottom posting) is folded; interleaved answers keep theirs.
      const after = lines.slice(i + n);
      const firstQuoted = after.findIndex(isQuoted);
      const textAfterQuotes = firstQuoted >= 0 && after.slice(firstQuoted).some((l) => !isBlank(l) && !isQuoted(l));
      if (!textAfterQuotes) return { at: i, kind: 'history' };
      i += n - 1;
    }
  }
  return null;
}

/** A block of ">" lines at the very end, with the attribution-like line just above it. */
function trailingQuoteStart(lines: string[]): number | null {
  let i = lines.length;
  while (i > 0 && (isBlank(lines[i - 1]!) || isQuoted(lines[i - 1]!))) i--;
  if (!lines.slice(i).some(isQuoted)) return null;
  while (i < lines.length && isBlank(lines[i]!)) i++;
  let j = i - 1;
  while (j >= 0 && isBlank(lines[j]!)) j--;
  if (j >= 0 && i - j <= 2 && /:\s*$/.test(lines[j]!) && (/@|\d/.test(lines[j]!) || ATTRIBUTION_VERB.test(lines[j]!.trim()))) return j;
  return i;
}

/** A top block "attribution + quoted lines" followed by the answer (bottom posting). */
function leadingQuoteEnd(lines: string[]): number | null {
  let i = 0;
  while (i < lines.length && isBlank(lines[i]!)) i++;
  const n = attributionAt(lines, i);
  if (n === 0 && !isQuoted(lines[i] ?? '')) return null;
  let end = i + n;
  while (end < lines.length && (isQuoted(lines[end]!) || isBlank(lines[end]!))) end++;
  const rest = lines.slice(end);
  // Only when the rest is the sender's own text, not interleaved answers.
  if (!lines.slice(i + n, end).some(isQuoted) || rest.some(isQuoted) || !rest.some((l) => !isBlank(l))) return null;
  return end;
}

/** The start of a delimited signature or device footer at the end of `lines`, or null. */
function signatureStart(lines: string[]): number | null {
  let end = lines.length;
  while (end > 0 && isBlank(lines[end - 1]!)) end--;
  if (end > 0 && DEVICE_FOOTER.some((re) => re.test(lines[end - 1]!.trim()))) {
    let start = end - 1;
    if (start > 0 && RULE.test(lines[start - 1]!.trim())) start--;
    const above = signatureStart(lines.slice(0, start));
    return above ?? start;
  }
  for (let i = end - 1; i >= 0 && end - i <= MAX_SIGNATURE_LINES + 1; i--) {
    if (SIGNATURE.test(lines[i]!)) return i;
  }
  return null;
}

const join = (lines: string[]) => lines.join('\n').trim();

export function splitQuoted(text: string, options: { forwarded?: boolean } = {}): QuoteSplit {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const marker = findMarker(lines, options.forwarded ?? false);
  let own = marker ? lines.slice(0, marker.at) : lines;
  const history = marker?.kind === 'history' ? lines.slice(marker.at) : [];
  const forwardedPart = marker?.kind === 'forward' ? lines.slice(marker.at) : [];
  const folded: string[][] = [];
  let leading: string[] = [];
  if (!marker) {
    const trailing = trailingQuoteStart(own);
    if (trailing !== null) {
      history.push(...own.slice(trailing));
      own = own.slice(0, trailing);
    } else {
      const end = leadingQuoteEnd(own);
      if (end !== null) {
        leading = own.slice(0, end);
        own = own.slice(end);
      }
    }
  }
  const signature = signatureStart(own);
  if (leading.length) folded.push(leading);
  if (signature !== null) {
    folded.push(own.slice(signature));
    own = own.slice(0, signature);
  }
  if (history.length) folded.push(history);
  const newText = [join(own), join(forwardedPart)].filter(Boolean).join('\n\n');
  const quoted = folded.map(join).filter(Boolean).join('\n\n');
  return { newText, quoted: quoted || null };
}
