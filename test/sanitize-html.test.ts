// The email sanitizer against hostile HTML (each row: what goes in, and what must not come out), then
// ordinary mail that must come through, then the plain text that search and previews read from it.
import { describe, expect, test } from 'vitest';
import { textOf } from '../server/domain/conversation-rules.js';
import { htmlToText } from '../server/domain/html-text.js';
import { sanitizeEmailHtml } from '../server/usecases/sanitize-html.js';

describe('sanitizeEmailHtml removes what is active', () => {
  test.each([
    ['a script tag', '<p>hi</p><script>alert(1)</script>', [/<script/i, /alert/]],
    ['a script tag in upper case', '<SCRIPT SRC="https://evil.example/x.js"></SCRIPT><p>hi</p>', [/script/i, /evil/]],
    ['an onerror handler on a broken image', '<img src=x onerror="alert(1)">', [/onerror/i, /alert/, /src="x"/]],
    ['an onclick handler', '<p onclick="steal()">click</p>', [/onclick/i, /steal/]],
    ['an onmouseover handler with odd spacing', '<div\nonmouseover = "steal()">x</div>', [/onmouseover/i, /steal/]],
    ['a javascript: link', '<a href="javascript:alert(1)">x</a>', [/javascript/i, /href/]],
    ['a mixed-case javascript: link', '<a href="JaVaScRiPt:alert(1)">x</a>', [/javascript/i, /href/]],
    ['an entity-encoded javascript: link', '<a href="&#106;&#97;vascript&#x3A;alert(1)">x</a>', [/javascript/i, /href/, /alert/]],
    ['a javascript: link split by a tab', '<a href="java&#x09;script:alert(1)">x</a>', [/script/i, /href/]],
    ['a javascript: link behind spaces', '<a href="  javascript:alert(1)">x</a>', [/javascript/i, /href/]],
    ['a vbscript: link', '<a href="vbscript:msgbox(1)">x</a>', [/vbscript/i, /href/]],
    ['a data: link', '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', [/data:/i, /href/]],
    ['a data: image that is not an image', '<img src="data:text/html,<script>alert(1)</script>">', [/data:text/i, /script/i, /src=/]],
    ['an svg with onload', '<svg onload="alert(1)"><circle r="4"/></svg><p>after</p>', [/svg/i, /onload/i, /alert/]],
    [
      'a form with inputs and a button',
      '<form action="https://evil.example/"><input name="pw"><button>Go</button></form>',
      [/<form/i, /action/i, /<input/i, /<button/i],
    ],
    ['an iframe', '<iframe src="https://evil.example/"></iframe><p>x</p>', [/iframe/i, /evil/]],
    ['an object and an embed', '<object data="x.swf"></object><embed src="x.swf">', [/object/i, /embed/i, /swf/]],
    [
      'a style block with url()',
      '<style>body{background:url(https://track.example/p.gif)}</style><p>x</p>',
      [/<style/i, /url\(/i, /track/],
    ],
    [
      'an inline style with url()',
      '<p style="background-image:url(https://track.example/p.gif);color:red">x</p>',
      [/url\(/i, /track/, /background-image/],
    ],
    ['an inline style with an escaped url()', '<p style="background:u\\72l(https://track.example/p.gif)">x</p>', [/track/, /\\72/]],
    [
      'an inline style with image-set()',
      '<p style="background-color:image-set(&quot;https://track.example/p.gif&quot; 1x)">x</p>',
      [/track/, /image-set/],
    ],
    ['an inline style with expression()', '<p style="width:expression(alert(1))">x</p>', [/expression/i, /alert/]],
    ['a border-image (takes a url)', '<p style="border-image:url(https://track.example/b.png) 30">x</p>', [/border-image/, /track/]],
    [
      'a link and a meta in the head',
      '<head><link rel="stylesheet" href="https://evil.example/s.css"><meta charset="utf-8"></head><p>x</p>',
      [/<link/i, /<meta/i, /evil/],
    ],
    ['a meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example/">', [/<meta/i, /refresh/i, /evil/]],
    ['a base href', '<base href="https://evil.example/"><a href="https://ok.example/">x</a>', [/<base/i, /evil/]],
    ['a relative link (it would point at the console)', '<a href="/api/v1/users">x</a>', [/href/, /api/]],
    ['a protocol-relative image', '<img src="//track.example/p.gif">', [/track/, /src=/]],
    [
      'a background attribute (an image URL)',
      '<table background="https://track.example/bg.png"><tr><td>x</td></tr></table>',
      [/background/, /track/],
    ],
    ['an html comment (conditional comments)', '<!--[if mso]><script>x()</script><![endif]--><p>x</p>', [/<!--/, /mso/, /script/i]],
    [
      'a noscript and a template',
      '<noscript><p>no js</p></noscript><template><script>x()</script></template><p>x</p>',
      [/noscript/i, /no js/, /template/i],
    ],
  ])('%s', (_name, hostile, mustNotMatch) => {
    const clean = sanitizeEmailHtml(hostile);
    for (const pattern of mustNotMatch) expect(clean).not.toMatch(pattern);
  });

  test('a link keeps its address and opens in a new tab without a handle back', () => {
    expect(sanitizeEmailHtml('<a href="https://shop.example/order/1" target="_self" rel="opener">order</a>')).toBe(
      '<a href="https://shop.example/order/1" target="_blank" rel="noopener noreferrer">order</a>',
    );
    expect(sanitizeEmailHtml('<a href="mailto:help@shop.example">mail us</a>')).toContain('href="mailto:help@shop.example"');
  });

  test('a whole document keeps only its body', () => {
    const clean = sanitizeEmailHtml(
      '<!doctype html><html><head><title>Newsletter</title><style>p{color:red}</style></head><body><p>Hello</p></body></html>',
    );
    expect(clean).toBe('<p>Hello</p>');
  });
});

describe('sanitizeEmailHtml keeps ordinary mail', () => {
  test('Thai text, a layout table with colours, a cid logo and images by https and data:', () => {
    const mail = [
      '<table width="600" cellpadding="0" cellspacing="0" border="0" align="center" bgcolor="#ffffff">',
      '<tr><td align="center" valign="top" style="padding:16px 24px;background-color:#0a3d62;color:#ffffff">',
      '<img src="cid:logo@shop.example" alt="Shop" width="120" height="40"></td></tr>',
      '<tr><td style="font-family:\'Sarabun\', Tahoma, sans-serif;font-size:16px;line-height:1.6;color:rgb(29, 38, 51)">',
      '<h1 style="margin:0 0 12px;font-size:22px">สวัสดีค่ะ คุณสมหญิง</h1>',
      '<p>คำสั่งซื้อ <b>#889</b> ของคุณ<span style="color:#c2332b">จัดส่งแล้ว</span> &amp; จะถึงภายใน 2&nbsp;วัน</p>',
      '<ul><li>เสื้อยืด × 2</li><li>กางเกง × 1</li></ul>',
      '<blockquote style="border-left:3px solid #cccccc;margin:0;padding-left:8px">ข้อความเดิม</blockquote>',
      '<img src="https://cdn.shop.example/banner.png" alt="Sale" width="600" height="200" style="width:100%;max-width:600px">',
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot" width="1" height="1">',
      '<font color="#888888" face="Arial" size="2">ยกเลิกการรับข่าวสาร</font> <center><hr></center>',
      '</td></tr></table>',
    ].join('');
    const clean = sanitizeEmailHtml(mail);
    for (const kept of [
      '<table width="600" cellpadding="0" cellspacing="0" border="0" align="center" bgcolor="#ffffff">',
      '<td align="center" valign="top" style="padding:16px 24px;background-color:#0a3d62;color:#ffffff">',
      '<img src="cid:logo@shop.example" alt="Shop" width="120" height="40" />',
      'style="font-family:\'Sarabun\', Tahoma, sans-serif;font-size:16px;line-height:1.6;color:rgb(29, 38, 51)"',
      '<h1 style="margin:0 0 12px;font-size:22px">สวัสดีค่ะ คุณสมหญิง</h1>',
      '<b>#889</b>',
      '<span style="color:#c2332b">จัดส่งแล้ว</span> &amp; จะถึงภายใน 2\u00a0วัน',
      '<ul><li>เสื้อยืด × 2</li><li>กางเกง × 1</li></ul>',
      '<blockquote style="border-left:3px solid #cccccc;margin:0;padding-left:8px">ข้อความเดิม</blockquote>',
      '<img src="https://cdn.shop.example/banner.png" alt="Sale" width="600" height="200" style="width:100%;max-width:600px" />',
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot" width="1" height="1" />',
      '<font color="#888888" face="Arial" size="2">ยกเลิกการรับข่าวสาร</font>',
      '<center><hr /></center>',
    ]) {
      expect(clean).toContain(kept);
    }
  });

  test('pre, code and headings stay', () => {
    const html = '<h2>Log</h2><pre><code>error: 42 &lt;stack&gt;</code></pre><h6>end</h6>';
    expect(sanitizeEmailHtml(html)).toBe(html);
  });
});

describe('the plain text of an HTML body', () => {
  test.each([
    ['tags out, blocks as lines', '<p>Hello <b>Somchai</b></p><div>Your order</div>', 'Hello Somchai\nYour order'],
    ['entities decoded', '<p>A &amp; B &lt;3 &quot;q&quot; &#3626;&#x0E27;&nbsp;x &copy;</p>', 'A & B <3 "q" สว x ©'],
    ['whitespace collapsed', '<p>  many\n\n   spaces\t here </p>\n\n<br><br><p>next</p>', 'many spaces here\n\nnext'], // two line breaks keep one blank line
    [
      'a table row reads as one line',
      '<table><tr><td>Item</td><td>Price</td></tr><tr><td>Tee</td><td>฿250</td></tr></table>',
      'Item Price\nTee ฿250',
    ],
    ['hidden content is not text', '<style>p{}</style><title>t</title><!-- note --><p>seen</p>', 'seen'],
    ['an unknown entity stays as written', '<p>&bogus; &#0;</p>', '&bogus; \uFFFD'],
  ])('%s', (_name, html, text) => {
    expect(htmlToText(html)).toBe(text);
  });

  test('a message with a text part reads its text; one with only HTML reads the HTML', () => {
    const html = { type: 'html' as const, html: '<p>Hello <b>there</b></p>' };
    expect(textOf([{ type: 'text', text: 'Hello there (plain)' }, html])).toBe('Hello there (plain)');
    expect(textOf([html])).toBe('Hello there');
  });
});
