// An email's HTML body in the timeline: in a sandboxed frame (no scripts, an opaque origin, a policy
// that lets nothing load but inline styles and data: images), with remote images held back until the
// agent asks, since loading them tells the sender that and when the mail was read.
import { useLayoutEffect, useMemo, useReducer, useRef, useState, type RefObject } from 'react';
import { useStrings } from '../i18n';
import { CONVERSATION_STRINGS } from '../conversation/strings';
import { frameDocument, measureFrame, prepareEmail, type Measurement } from './email-frame';

// Mails whose remote images the agent allowed (for this page's life), and heights already measured,
// so a row the virtualized timeline unmounts and mounts again while scrolling comes back as it was.
const imagesAllowed = new Set<string>();
const MAX_KNOWN = 200;
const knownHeights = new Map<string, Map<number, number>>();
// The width of the last email laid out: rows mount at the height known for it, which is almost always right.
let lastWidth = 0;
const FIRST_GUESS_PX = 240;

function knownHeight(doc: string, width: number): number | undefined {
  return knownHeights.get(doc)?.get(width);
}

function remember(doc: string, width: number, height: number): void {
  const byWidth = knownHeights.get(doc) ?? new Map<number, number>();
  knownHeights.delete(doc); // re-inserted as the most recent
  knownHeights.set(doc, byWidth.set(width, height));
  if (knownHeights.size > MAX_KNOWN) knownHeights.delete(knownHeights.keys().next().value!);
}

export function EmailHtml({ html }: { html: string }) {
  const s = useStrings(CONVERSATION_STRINGS);
  const email = useMemo(() => prepareEmail(html), [html]);
  const [allowed, setAllowed] = useState(() => imagesAllowed.has(html));
  const doc = useMemo(() => frameDocument(email, allowed ? 'shown' : 'blocked'), [email, allowed]);
  const box = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const height = useFrameHeight(doc, box, frame);

  return (
    <div className="email-html" ref={box}>
      {email.remoteImages > 0 && !allowed && (
        <div className="email-html-bar" role="note">
          <span>{s('remoteImagesBlocked')}</span>
          <button
            type="button"
            className="conv-link"
            onClick={() => {
              imagesAllowed.add(html);
              setAllowed(true);
              frame.current?.focus({ preventScroll: true }); // the button is going away
            }}
          >
            {s('showImages')}
          </button>
        </div>
      )}
      <iframe
        ref={frame}
        className="email-html-frame"
        title={s('emailBody')}
        // No allow-scripts and no allow-same-origin: nothing in the mail runs, and it is a stranger to
        // the console. allow-popups lets a link open in a new tab (every link has target=_blank and
        // rel="noopener noreferrer", so that tab gets no handle back); allow-popups-to-escape-sandbox
        // lets that tab be an ordinary page, since most sites break under an inherited sandbox.
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        srcDoc={doc}
        style={{ height }}
      />
    </div>
  );
}

/**
 * The frame's height for `doc` at the box's width: measured (see measureFrame) in a layout effect and
 * set on the frame directly, so the timeline, whose layout effect runs after this one, measures the
 * row at its final height before anything is painted. Measured again when the width changes.
 */
function useFrameHeight(doc: string, box: RefObject<HTMLDivElement | null>, frame: RefObject<HTMLIFrameElement | null>): number {
  const [height, setHeight] = useState(() => knownHeight(doc, lastWidth) ?? FIRST_GUESS_PX);
  const [resized, onResize] = useReducer((n: number) => n + 1, 0);
  const measuredFor = useRef({ doc: '', width: 0 });
  const pending = useRef<Measurement | null>(null);

  useLayoutEffect(() => {
    const el = box.current;
    const iframe = frame.current;
    const width = el?.clientWidth ?? 0;
    if (!el || !iframe || width === 0) return;
    if (measuredFor.current.doc === doc && measuredFor.current.width === width) return;
    measuredFor.current = { doc, width };
    lastWidth = width;
    pending.current?.cancel();
    pending.current = null;
    const apply = (h: number) => {
      iframe.style.height = `${h}px`;
      setHeight(h);
    };
    const known = knownHeight(doc, width);
    if (known !== undefined) {
      apply(known);
      return;
    }
    const measurement = measureFrame(doc, width);
    pending.current = measurement;
    apply(measurement.height);
    void measurement.settled.then((h) => {
      remember(doc, width, h);
      if (pending.current !== measurement) return;
      pending.current = null;
      apply(h);
    });
  }, [doc, resized, box, frame]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const watch = new ResizeObserver(() => {
      if (el.clientWidth !== measuredFor.current.width) onResize();
    });
    watch.observe(el);
    return () => {
      watch.disconnect();
      pending.current?.cancel();
    };
  }, [box]);

  return height;
}
