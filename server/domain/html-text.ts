// The plain text of HTML (a mail body without a text/plain part; search and previews of HTML messages). Written as one forward
// scan, not regular expressions over the whole document: raw mail HTML is untrusted, and patterns
// such as /<[^>]*>/ take quadratic time on a body of unclosed "<". Nothing is executed or fetched;
// script, style and the like are dropped with their content; images (tracking pixels) leave no
// trace; blockquote lines get "> " so that quoted history is recognised as in plain-text mail.

// Elements whose content is never shown. An unclosed one hides the rest of the document.
const HIDDEN = new Set(['script', 'style', 'title', 'template', 'noscript', 'textarea', 'xmp', 'iframe', 'object', 'select']);
const BLOCK = new Set([
  ...['p', 'div', 'li', 'tr', 'table', 'thead', 'tbody', 'tfoot', 'caption', 'ul', 'ol', 'dl', 'dt', 'dd'],
  ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'center', 'section', 'article', 'header', 'footer', 'address'],
  ...['main', 'nav', 'aside', 'figure', 'figcaption', 'form', 'fieldset', 'details', 'summary', 'body', 'html'],
]);
const CELL = new Set(['td', 'th']);

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  zwnj: '',
  zwj: '',
  shy: '',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
  middot: '·',
  euro: '€',
  pound: '£',
  yen: '¥',
  deg: '°',
  times: '×',
};

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z][a-z0-9]{1,31}));?/gi, (whole, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(code);
  });
}

/** Where the tag that starts at `from` ends (the index of its ">"), quoted attribute values respected; -1 if never. */
function tagEnd(html: string, from: number): number {
  let quote = '';
  let afterEquals = false; // a quote opens a value only right after "=" (alt=Don't is not one)
  for (let i = from; i < html.length; i++) {
    const c = html[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if ((c === '"' || c === "'") && afterEquals) {
      quote = c;
    } else if (c === '>') {
      return i;
    }
    if (c === '=') afterEquals = true;
    else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') afterEquals = false;
  }
  return -1;
}

class Lines {
  private readonly lines: string[] = [];
  private current = '';
  private shown = false; // the current line has something to show (text or an explicit &nbsp;)
  quoteDepth = 0;
  preDepth = 0;

  text(raw: string): void {
    const text = decodeEntities(this.preDepth > 0 ? raw : raw.replace(/[ \t\r\n\f]+/g, ' '));
    if (this.preDepth > 0) {
      const [first, ...rest] = text.split(/\r?\n/);
      this.append(first!);
      for (const line of rest) {
        this.hardBreak();
        this.append(line);
      }
    } else {
      this.append(text);
    }
  }

  private append(text: string): void {
    if (!text) return;
    if (!this.shown && text.trim() === '' && !text.includes('\u00a0')) return;
    this.current += text;
    this.shown = true;
  }

  /** Ends the line if it holds anything (a block boundary). */
  softBreak(): void {
    if (this.shown) this.hardBreak();
  }

  /** Ends the line even when empty (a <br>). */
  hardBreak(): void {
    const text = this.current.replace(/\u00a0/g, ' ');
    const line = this.preDepth > 0 ? text.trimEnd() : text.trim();
    this.lines.push(this.quoteDepth > 0 ? `${'> '.repeat(this.quoteDepth)}${line}`.trimEnd() : line);
    this.current = '';
    this.shown = false;
  }

  result(): string {
    this.softBreak();
    // Blank lines at either end go; the indentation of a first <pre> line stays.
    return this.lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+|\n+$/g, '');
  }
}

export function htmlToText(html: string): string {
  const out = new Lines();
  const lower = html.toLowerCase();
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.text(html.slice(i));
      break;
    }
    if (lt > i) out.text(html.slice(i, lt));
    const next = html[lt + 1] ?? '';
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    if (!/[a-zA-Z/!?]/.test(next)) {
      out.text('<');
      i = lt + 1;
      continue;
    }
    const end = tagEnd(html, lt + 1);
    if (end < 0) break; // an unfinished tag: nothing after it can be shown
    i = end + 1;
    if (next === '!' || next === '?') continue; // doctype, CDATA, processing instruction
    const closing = next === '/';
    const name = /^[a-z][a-z0-9-]*/.exec(lower.slice(lt + (closing ? 2 : 1), end))?.[0] ?? '';
    if (!closing && HIDDEN.has(name)) {
      const close = lower.indexOf(`</${name}`, i);
      if (close < 0) break;
      const closeEnd = html.indexOf('>', close);
      if (closeEnd < 0) break;
      i = closeEnd + 1;
      continue;
    }
    if (name === 'br') {
      out.hardBreak();
    } else if (name === 'blockquote') {
      out.softBreak();
      out.quoteDepth = Math.max(0, out.quoteDepth + (closing ? -1 : 1));
    } else if (name === 'pre') {
      out.softBreak();
      out.preDepth = Math.max(0, out.preDepth + (closing ? -1 : 1));
    } else if (name === 'hr') {
      out.softBreak();
    } else if (BLOCK.has(name)) {
      out.softBreak();
      if (name === 'li' && !closing) out.text('- ');
    } else if (CELL.has(name) && closing) {
      out.text(' ');
    }
  }
  return out.result();
}
