// Character sets, decoded with Node's own TextDecoder (the WHATWG Encoding standard browsers use),
// not libmime's table: libmime does not know the Thai names Java and old Windows mailers write
// (x-windows-874, ms874, x-tis620), and turns them into replacement characters. mailparser takes
// this decoder through its `Iconv` option, so one table decodes bodies and repaired headers alike.
import { Transform, type TransformCallback } from 'node:stream';

// Names mail uses that the WHATWG table lacks, mapped to one it has. TIS-620 is windows-874 without
// the few C1 additions, so decoding it as windows-874 is exact for every TIS-620 byte.
const ALIASES: Record<string, string> = {
  tis620: 'windows-874',
  'x-tis620': 'windows-874',
  'tis-620-2533': 'windows-874',
  'tis620-0': 'windows-874',
  'x-windows-874': 'windows-874',
  ms874: 'windows-874',
  'ms-874': 'windows-874',
  cp874: 'windows-874',
  'ibm-874': 'windows-874',
  'iso-2022-jp-1': 'iso-2022-jp',
  'iso-2022-jp-2': 'iso-2022-jp',
  'iso-2022-jp-3': 'iso-2022-jp',
  cp932: 'shift_jis',
  'ms-932': 'shift_jis',
  cp936: 'gbk',
  cp949: 'euc-kr',
  uhc: 'euc-kr',
  cp950: 'big5',
};

/** The TextDecoder for a charset label, or null when neither WHATWG nor our aliases know it. */
function charsetDecoder(label: string): TextDecoder | null {
  const name = label
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  try {
    return new TextDecoder(ALIASES[name] ?? name);
  } catch {
    return null;
  }
}

/** Decodes bytes from a charset; an unknown charset reads as UTF-8 (what mailparser does too). */
function decodeBytes(bytes: Uint8Array, charset: string): string {
  return (charsetDecoder(charset) ?? new TextDecoder()).decode(bytes);
}

/**
 * A stream with node-iconv's shape (`new Iconv(from, to)`, bytes in, UTF-8 out) for mailparser's
 * `Iconv` option. An unknown charset throws, and mailparser then keeps the bytes as UTF-8.
 */
export class CharsetDecodeStream extends Transform {
  private readonly decoder: TextDecoder;

  constructor(fromCharset: string, _toCharset?: string) {
    super();
    const decoder = charsetDecoder(fromCharset);
    if (!decoder) throw new RangeError(`unknown charset ${fromCharset}`);
    this.decoder = decoder;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    // stream: a multibyte character split across chunks waits for its second half
    const text = this.decoder.decode(chunk, { stream: true });
    done(null, text ? Buffer.from(text) : undefined);
  }

  override _flush(done: TransformCallback): void {
    const rest = this.decoder.decode();
    done(null, rest ? Buffer.from(rest) : undefined);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bq])\?([^?\s]*)\?=/gi;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toLowerCase() === 'b') return Buffer.from(text, 'base64');
  return Buffer.from(
    text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
}

/**
 * A raw header value (its bytes as a latin1 string, as mailsplit keeps them) decoded: RFC 2047
 * encoded words in any charset we know, and raw 8-bit bytes as UTF-8 when they are valid UTF-8, else
 * in `fallbackCharset` (the charset the mail's body declares, usually what the sender's client used)
 * or, without one, the legacy charset the bytes look like.
 */
export function decodeHeaderText(raw: string, fallbackCharset: string | null): string {
  const raw8bit = (s: string) => {
    const bytes = Buffer.from(s, 'latin1');
    return isUtf8(bytes) ? bytes.toString('utf8') : decodeBytes(bytes, fallbackCharset ?? guessLegacyCharset(bytes));
  };
  let out = '';
  let last = 0;
  // Adjacent words in one charset are joined before decoding: encoders split a multibyte
  // character across two words, and the whitespace between encoded words is not text.
  let pending: { charset: string; bytes: Buffer[] } | null = null;
  const flush = () => {
    if (pending) out += decodeBytes(Buffer.concat(pending.bytes), pending.charset.replace(/\*.*$/, ''));
    pending = null;
  };
  for (const m of raw.matchAll(ENCODED_WORD)) {
    const [, charset, encoding, text] = m as unknown as [string, string, string, string];
    const between = raw.slice(last, m.index);
    const adjacent = pending !== null && between.trim() === '';
    if (!adjacent || pending!.charset.toLowerCase() !== charset.toLowerCase()) {
      flush();
      if (!adjacent) out += raw8bit(between);
      pending = { charset, bytes: [] };
    }
    pending!.bytes.push(wordBytes(encoding, text));
    last = m.index + m[0].length;
  }
  flush();
  out += raw8bit(raw.slice(last));
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * The charset of 8-bit text that declares none (raw bytes in a header): Thai text in TIS-620 is
 * nearly all high bytes, Western text in windows-1252 mostly ASCII with a few accented letters.
 */
function guessLegacyCharset(bytes: Uint8Array): string {
  let high = 0;
  let letters = 0;
  for (const b of bytes) {
    if (b <= 0x20) continue;
    letters++;
    if (b >= 0xa1 && b <= 0xfb) high++;
  }
  return letters > 0 && high / letters > 0.5 ? 'windows-874' : 'windows-1252';
}
