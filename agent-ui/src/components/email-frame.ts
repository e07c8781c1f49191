// What the sandboxed frame of an email (EmailHtml) shows, and how tall it must be. The HTML was
// sanitized on the server; the frame's sandbox and its Content-Security-Policy are the second line.

export type ImageMode = 'blocked' | 'shown';

export interface PreparedEmail {
  /** The stored (sanitized) HTML, shown once the agent allows remote images. */
  html: string;
  /** The same without the addresses of remote images: nothing is even requested. */
  blocked: string;
  remoteImages: number;
}

const REMOTE = /^(?:https?:)?\/\//i;

/** Splits off the remote images of an email. DOMParser's document is inert: it loads and runs nothing. */
export function prepareEmail(html: string): PreparedEmail {
  const body = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html').body;
  let remoteImages = 0;
  for (const img of Array.from(body.querySelectorAll('img'))) {
    img.removeAttribute('srcset');
    if (!REMOTE.test(img.getAttribute('src')?.trim() ?? '')) continue;
    remoteImages++;
    img.removeAttribute('src');
    img.setAttribute('data-blocked', '');
  }
  return { html, blocked: remoteImages ? body.innerHTML : html, remoteImages };
}

// Nothing may load or run but inline styles and images: data: ones always, remote ones once allowed.
// `form-action` and `base-uri` are not covered by default-src, so they are closed by name.
const POLICY: Record<ImageMode, string> = {
  blocked: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'",
  shown: "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'none'; base-uri 'none'",
};

// The mail's own styles come after these and win. The page never scrolls vertically (the frame is
// as tall as its content); a mail wider than the bubble scrolls sideways inside the frame.
const BASE_STYLE = `
html { overflow-x: auto; overflow-y: hidden; }
body { margin: 0; color: #1d2633; font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Thai', sans-serif; overflow-wrap: break-word; }
a { color: #2f5bd0; }
img { max-width: 100%; }
img:not([data-blocked]) { height: auto; }
img[data-blocked] { background: #e9edf2; }
pre { white-space: pre-wrap; }
blockquote { margin: 0 0 0 0.4em; padding-left: 0.8em; border-left: 3px solid #cbd2db; color: #4a5563; }
`;

/**
 * The frame's whole document. The policy is the first thing in <head>, so it governs every element
 * after it; links open in a new tab (`<base target>`, which the sanitizer never lets a mail set), and
 * no request from the frame says where the agent was reading it.
 */
export function frameDocument(email: PreparedEmail, mode: ImageMode): string {
  return (
    '<!doctype html><html><head>' +
    `<meta http-equiv="Content-Security-Policy" content="${POLICY[mode]}">` +
    '<meta name="referrer" content="no-referrer"><base target="_blank">' +
    `<style>${BASE_STYLE}</style></head><body>${mode === 'shown' ? email.html : email.blocked}</body></html>`
  );
}

export interface Measurement {
  /** The height the frame needs now (px). */
  height: number;
  /** The height once its images have loaded or failed (data: images decode a little later). */
  settled: Promise<number>;
  cancel(): void;
}

/**
 * How tall a frame of `width` px must be to show `doc` without scrolling. The visible frame is
 * sandboxed without same-origin access, so nothing can read its height and, with scripts off, it
 * cannot tell us either. The same document is therefore laid out in a hidden twin frame that this
 * page may read: `allow-same-origin` and nothing else (no scripts run in it, no form, no popup, no
 * navigation), with the same policy, so it loads exactly what the visible frame loads. Writing it
 * with document.write lays it out synchronously, so the height is known before the first paint
 * (the timeline measures rows then; no row moves afterwards); images that arrive later settle it.
 */
export function measureFrame(doc: string, width: number): Measurement {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-same-origin');
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  frame.className = 'email-html-measure';
  frame.style.width = `${width}px`;
  document.body.append(frame);
  const inner = frame.contentDocument!;
  inner.open();
  inner.write(doc);
  inner.close();

  let cancelled = false;
  const read = () => {
    // Content height at zero viewport height, then whatever a sideways scrollbar takes from it.
    frame.style.height = '0px';
    const content = inner.documentElement.scrollHeight;
    frame.style.height = `${content}px`;
    return Math.ceil(content + (frame.contentWindow!.innerHeight - inner.documentElement.clientHeight));
  };
  const height = read();
  const pendingImages = Array.from(inner.images).some((img) => !img.complete);
  const settled = new Promise<number>((resolve) => {
    const done = () => {
      if (cancelled) return;
      const h = read();
      frame.remove();
      resolve(h);
    };
    if (pendingImages) frame.addEventListener('load', done, { once: true });
    else queueMicrotask(done);
  });
  return {
    height,
    settled,
    cancel: () => {
      cancelled = true;
      frame.remove();
    },
  };
}
