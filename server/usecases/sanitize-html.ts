// An email's HTML body, cut down to what mail formatting needs before it is stored. What survives is
// shown in a sandboxed frame (agent-ui EmailHtml), but the frame is the second line: nothing active
// (scripts, handlers, forms, frames, stylesheets, CSS that fetches) ever reaches the database.
import sanitizeHtml, { type IOptions, type Transformer } from 'sanitize-html';

const TAGS = [
  ...['p', 'br', 'div', 'span', 'b', 'i', 'u', 's', 'strike', 'strong', 'em', 'small', 'big', 'sub', 'sup', 'mark'],
  ...['ul', 'ol', 'li', 'dl', 'dt', 'dd'],
  ...['table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td'],
  ...['a', 'img', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'hr', 'font', 'center'],
];

// Layout attributes old mail still uses; `background` (an image URL) and `class`/`id` are not among them.
const CELL = ['align', 'valign', 'bgcolor', 'width', 'height', 'nowrap', 'colspan', 'rowspan'];
const ATTRIBUTES: IOptions['allowedAttributes'] = {
  '*': ['style', 'dir', 'lang', 'title', 'align'],
  a: ['href', 'target', 'rel'], // target and rel are set by `link` below, never taken from the mail
  img: ['src', 'alt', 'width', 'height', 'border', 'hspace', 'vspace'],
  font: ['color', 'face', 'size'],
  table: ['width', 'height', 'border', 'cellpadding', 'cellspacing', 'bgcolor', 'role'],
  td: CELL,
  th: CELL,
  tr: ['valign', 'bgcolor', 'height'],
  thead: ['valign'],
  tbody: ['valign'],
  tfoot: ['valign'],
  col: ['span', 'width'],
  colgroup: ['span', 'width'],
  ol: ['start', 'type', 'reversed'],
  ul: ['type'],
  li: ['value'],
  hr: ['width', 'size', 'noshade', 'color'],
  blockquote: ['cite'],
};

// A CSS value made of words, numbers, colours, quotes and a few harmless functions. No other function
// (url(), image-set(), expression(), var()…), no backslash escapes, no `;` `:` `{` `<` to break out of it.
const SAFE_VALUE = /^(?:[\p{L}\p{N}\s#.,%!+\-*/'"_]|(?:rgba?|hsla?|calc)\([\p{L}\p{N}\s#.,%+\-*/_]*\))*$/iu;
const STYLE_PROPERTIES = [
  ...['color', 'background-color', 'opacity'],
  ...['font', 'font-family', 'font-size', 'font-style', 'font-weight', 'font-variant', 'line-height', 'letter-spacing'],
  ...['text-align', 'text-decoration', 'text-indent', 'text-transform', 'vertical-align', 'white-space', 'word-break', 'direction'],
  ...['margin', 'margin-top', 'margin-right', 'margin-bottom', 'margin-left'],
  ...['padding', 'padding-top', 'padding-right', 'padding-bottom', 'padding-left'],
  ...['border', 'border-top', 'border-right', 'border-bottom', 'border-left', 'border-color', 'border-style', 'border-width'],
  ...['border-radius', 'border-collapse', 'border-spacing'],
  ...['width', 'height', 'max-width', 'min-width', 'max-height', 'min-height', 'display', 'list-style-type'],
];
const STYLES: IOptions['allowedStyles'] = { '*': Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, [SAFE_VALUE]])) };

// Checked on the decoded attribute (entities already resolved), so `&#106;avascript:` is `javascript:`.
// A relative URL has no meaning in a mail and would point at the console's own server, so it goes too.
const LINK = /^(?:https?:|mailto:)/i;
const IMAGE = /^(?:https?:|cid:|data:image\/[a-z0-9.+-]+[;,])/i;

/** The attributes with `name` kept only if it is a URL `allowed` takes (in place, so their order stays). */
function keepUrl(attribs: Record<string, string>, name: string, allowed: RegExp): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attribs).flatMap(([key, value]) =>
      key !== name ? [[key, value]] : allowed.test(value.trim()) ? [[key, value.trim()]] : [],
    ),
  );
}

const link: Transformer = (tagName, attribs) => {
  const { target: _target, rel: _rel, ...kept } = keepUrl(attribs, 'href', LINK);
  // A link opens outside the console, and the opened page gets no handle on it.
  return { tagName, attribs: kept.href ? { ...kept, target: '_blank', rel: 'noopener noreferrer' } : kept };
};
const image: Transformer = (tagName, attribs) => ({ tagName, attribs: keepUrl(attribs, 'src', IMAGE) });

const OPTIONS: IOptions = {
  allowedTags: TAGS,
  allowedAttributes: ATTRIBUTES,
  allowedStyles: STYLES,
  // The library's own scheme check runs after ours, as a second line.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
  allowProtocolRelative: false,
  transformTags: { a: link, img: image },
  disallowedTagsMode: 'discard',
  // Elements whose text is not mail text: dropped with their content, not just unwrapped.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'title', 'head', 'template', 'svg', 'math', 'object'],
};

/** The HTML of an email with only passive formatting left (see the lists above). */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}
