// Small form parts shared by the admin sections: labelled fields with their error, the form's error
// banner, a submit runner that keeps the form as typed when the API refuses, copy and confirm buttons.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api';
import { ADMIN_STRINGS } from './strings';
import { useStrings } from '../i18n';

/** "body.name: Too small…; body.sla.0.resolutionMs: must not…" → { name: …, 'sla.0.resolutionMs': … }. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION') return {};
  const fields: Record<string, string> = {};
  for (const part of error.message.split(/; (?=body\.)/)) {
    const match = /^body\.([\w.-]+): ([\s\S]*)$/.exec(part);
    if (match && !(match[1]! in fields)) fields[match[1]!] = match[2]!;
  }
  return fields;
}

export interface Submit {
  busy: boolean;
  error: string | null;
  /** The API's error code (CONFLICT, VALIDATION…), null without an error or for a local one. */
  code: string | null;
  /** The API's message for a field path ("name", "sla.0") or anything under it. */
  fieldError: (path: string) => string | undefined;
  /** Runs one request; on failure keeps the message and returns undefined (nothing else changes). */
  run: <T>(work: () => Promise<T>) => Promise<T | undefined>;
  fail: (message: string) => void;
  reset: () => void;
}

export function useSubmit(): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);
  return {
    busy,
    error: error === null ? null : error instanceof Error ? error.message : String(error),
    code: error instanceof ApiError ? error.code : null,
    fieldError: (path) => {
      if (fields[path]) return fields[path];
      const nested = Object.keys(fields).find((key) => key.startsWith(path + '.'));
      return nested && fields[nested];
    },
    run: async (work) => {
      setBusy(true);
      setError(null);
      try {
        return await work();
      } catch (err) {
        setError(err);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    fail: (message) => setError(new Error(message)),
    reset: () => setError(null),
  };
}

export interface FieldA11y {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  className?: string;
  children: (a11y: FieldA11y) => ReactNode;
}

/** A label, the control (given its id and described-by), a hint and the API's error for it. */
export function Field({ label, error, hint, className, children }: FieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className={`admin-field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(error && { 'aria-invalid': true }), ...(described && { 'aria-describedby': described }) })}
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function ErrorBanner({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="banner banner-error admin-banner" role="alert">
      {error}
    </p>
  );
}

/**
 * A form's footer: the API's refusal, an optional "saved" notice, Cancel (when the form can be left)
 * and the submit button, which says "Saving…" while the request runs.
 */
export function FormActions({
  submit,
  label,
  saved = null,
  onCancel,
}: {
  submit: Submit;
  label: string;
  saved?: string | null;
  onCancel?: () => void;
}) {
  const s = useStrings(ADMIN_STRINGS);
  return (
    <div className="form-actions inline">
      <ErrorBanner error={submit.error} />
      <Notice text={saved} />
      <div className="form-buttons">
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            {s('cancel')}
          </button>
        )}
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {submit.busy ? s('saving') : label}
        </button>
      </div>
    </div>
  );
}

/** A success message; it scrolls itself into view (a long form's top may be out of sight). */
export function Notice({ text }: { text: string | null }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (text) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [text]);
  if (!text) return null;
  return (
    <p className="banner admin-banner" role="status" ref={ref}>
      {text}
    </p>
  );
}

/** A destructive action that asks once more in place (no browser dialog). */
export function ConfirmButton({
  label,
  confirm,
  onConfirm,
  disabled,
}: {
  label: string;
  confirm: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const s = useStrings(ADMIN_STRINGS);
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn btn-danger" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={confirm}>
      <span className="confirm-question">{confirm}</span>
      <button
        type="button"
        className="btn btn-danger-solid"
        disabled={disabled}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {s('confirmYes')}
      </button>
      <button type="button" className="btn" onClick={() => setAsking(false)}>
        {s('cancel')}
      </button>
    </span>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Not a secure context (plain http on a LAN address): fall back to a selected textarea.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

/** Copies `text`; says so for a moment. `label` names what is copied, for screen readers. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const s = useStrings(ADMIN_STRINGS);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    setState((await copyText(text)) ? 'copied' : 'failed');
    window.setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" className="btn btn-small" onClick={() => void copy()}>
      <span aria-live="polite">{state === 'copied' ? s('copied') : state === 'failed' ? s('copyFailed') : s('copy')}</span>
      <span className="visually-hidden"> {label}</span>
    </button>
  );
}
