// The page an email survey links to: /csat/<signed token>. It asks for a score with five buttons in a
// form that POSTs back (a link that recorded a score on GET would be "answered" by mail scanners that
// open links), in the customer's language. No login; the token names the survey and is checked in
// constant time; a wrong one is a plain 404 page.
import express, { type Router } from 'express';
import { surveyLanguage } from '../domain/crm/csat.js';
import { AppError } from '../domain/errors.js';
import type { Services } from './services.js';

const TEXT = {
  en: {
    title: 'How did we do?',
    ask: 'How would you rate the help you got?',
    poor: 'Poor',
    great: 'Excellent',
    thanks: 'Thank you for your feedback!',
    yourScore: (n: number) => `You gave us ${n} out of 5.`,
    closed: 'This survey has closed.',
    notFound: 'This survey link is not valid.',
  },
  th: {
    title: 'เราให้บริการเป็นอย่างไรบ้าง',
    ask: 'คุณพอใจกับการให้บริการครั้งนี้แค่ไหน',
    poor: 'ไม่พอใจ',
    great: 'พอใจมาก',
    thanks: 'ขอบคุณสำหรับความคิดเห็นของคุณ',
    yourScore: (n: number) => `คุณให้คะแนน ${n} จาก 5`,
    closed: 'แบบสอบถามนี้ปิดแล้ว',
    notFound: 'ลิงก์แบบสอบถามนี้ไม่ถูกต้อง',
  },
};

const STYLE = `
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans Thai',Tahoma,sans-serif;background:#f5f6f8;color:#1f2328}
main{max-width:460px;margin:12vh auto;padding:32px 28px;background:#fff;border-radius:14px;box-shadow:0 4px 20px rgba(0,0,0,.08);text-align:center}
h1{font-size:22px;margin:0 0 8px}p{margin:8px 0 0;color:#4b5563}
form{display:flex;gap:10px;justify-content:center;margin:24px 0 8px}
button{width:56px;height:56px;border-radius:12px;border:1px solid #d0d5dd;background:#fff;font-size:20px;font-weight:600;cursor:pointer}
button:hover,button:focus-visible{border-color:#0f766e;background:#ecfdf5;outline:none}
.scale{display:flex;justify-content:space-between;font-size:13px;color:#6b7280;max-width:320px;margin:0 auto}`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(lang: 'en' | 'th', body: string): string {
  const t = TEXT[lang];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(t.title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function askPage(lang: 'en' | 'th'): string {
  const t = TEXT[lang];
  const buttons = [1, 2, 3, 4, 5]
    .map((n) => `<button type="submit" name="score" value="${n}" aria-label="${n} / 5">${n}</button>`)
    .join('');
  return page(
    lang,
    `<h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.ask)}</p><form method="post">${buttons}</form>` +
      `<div class="scale"><span>1 · ${escapeHtml(t.poor)}</span><span>5 · ${escapeHtml(t.great)}</span></div>`,
  );
}

const message = (lang: 'en' | 'th', title: string, line = '') =>
  page(lang, `<h1>${escapeHtml(title)}</h1>${line ? `<p>${escapeHtml(line)}</p>` : ''}`);

export function mountCsatPage(router: Router, s: Services): void {
  router.use('/csat', (_req, res, next) => {
    // The token is in the URL: never sent onwards, never cached.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' });
    next();
  });
  router.get('/csat/:token', async (req, res, next) => {
    try {
      const { survey, locale, open } = await s.csat.linkSurvey(req.params.token!);
      const lang = surveyLanguage(locale);
      if (survey.score !== null) res.type('html').send(message(lang, TEXT[lang].thanks, TEXT[lang].yourScore(survey.score)));
      else if (!open) res.type('html').send(message(lang, TEXT[lang].closed));
      else res.type('html').send(askPage(lang));
    } catch (err) {
      notFoundPage(err, res, next);
    }
  });
  router.post('/csat/:token', express.urlencoded({ extended: false, limit: '1kb' }), async (req, res, next) => {
    try {
      const { locale } = await s.csat.linkSurvey(req.params.token!);
      const lang = surveyLanguage(locale);
      const score = Number((req.body as Record<string, unknown> | undefined)?.score);
      try {
        const answered = await s.csat.answerByLink(req.params.token!, score);
        res.type('html').send(message(lang, TEXT[lang].thanks, TEXT[lang].yourScore(answered.score!)));
      } catch (err) {
        if (!(err instanceof AppError) || err.code === 'NOT_FOUND') throw err;
        if (err.code === 'VALIDATION') res.status(400).type('html').send(askPage(lang));
        else res.status(409).type('html').send(message(lang, TEXT[lang].closed));
      }
    } catch (err) {
      notFoundPage(err, res, next);
    }
  });
}

function notFoundPage(err: unknown, res: express.Response, next: express.NextFunction): void {
  if (err instanceof AppError && err.code === 'NOT_FOUND')
    res
      .status(404)
      .type('html')
      .send(message('en', TEXT.en.notFound, TEXT.th.notFound));
  else next(err);
}
