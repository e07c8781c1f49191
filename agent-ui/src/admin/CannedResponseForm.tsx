// One canned response: title, /shortcut, language and a template body with placeholders that the
// server fills per conversation. The preview fills them with sample values.
import { useRef, useState, type FormEvent } from 'react';
import type { User } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import type { AdminApi, CannedResponse, CannedResponseBody } from './admin-api';
import { FormActions, Field, useSubmit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

export const DEFAULT_PLACEHOLDERS = [
  'customer.name',
  'customer.firstName',
  'customer.email',
  'customer.phone',
  'agent.name',
  'agent.firstName',
];

/** `{{customer.firstName}}` → the sample's value; anything else (helpers, unknown names) is left as written. */
export function previewOf(body: string, sample: Record<string, string>): string {
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => sample[name] ?? whole);
}

interface Props {
  admin: AdminApi;
  me: User;
  item: CannedResponse | null;
  placeholders: string[];
  canEdit: boolean;
  onSaved: (item: CannedResponse) => void;
  onCancel?: () => void;
}

export function CannedResponseForm({ admin, me, item, placeholders, canEdit, onSaved, onCancel }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const [form, setForm] = useState<CannedResponseBody>(() => ({
    title: item?.title ?? '',
    shortcut: item?.shortcut ?? '',
    body: item?.body ?? '',
    locale: item?.locale ?? null,
  }));
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const submit = useSubmit();
  const f = submit.fieldError;
  const set = (patch: Partial<CannedResponseBody>) => setForm((v) => ({ ...v, ...patch }));

  const insert = (name: string) => {
    const area = bodyRef.current;
    const token = `{{${name}}}`;
    const start = area?.selectionStart ?? form.body.length;
    const end = area?.selectionEnd ?? form.body.length;
    set({ body: form.body.slice(0, start) + token + form.body.slice(end) });
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(start + token.length, start + token.length);
    });
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = { ...form, shortcut: form.shortcut.trim().replace(/^\//, '') };
    const result = await submit.run(() => (item ? admin.updateCannedResponse(item.id, body) : admin.createCannedResponse(body)));
    if (result) onSaved(result.cannedResponse);
  };

  const sampleName = form.locale === 'th' ? 'สมชาย ใจดี' : 'Jane Smith';
  const sample: Record<string, string> = {
    'customer.name': sampleName,
    'customer.firstName': sampleName.split(' ')[0]!,
    'customer.email': 'jane@example.com',
    'customer.phone': '+66 81 234 5678',
    'customer.locale': form.locale ?? 'en',
    'agent.name': me.name,
    'agent.firstName': me.name.split(/\s+/)[0] ?? me.name,
    'conversation.channel': s('sampleChannel'),
  };
  // A conflict here is a shortcut already taken: show it beside the shortcut.
  const shortcutError = f('shortcut') ?? (submit.code === 'CONFLICT' ? (submit.error ?? undefined) : undefined);

  return (
    <form className="admin-form" onSubmit={save} noValidate aria-label={item ? s('editCannedNamed', { name: item.title }) : s('newCanned')}>
      <fieldset className="form-body" disabled={!canEdit}>
        <div className="field-row">
          <Field label={s('cannedTitle')} error={f('title')}>
            {(a11y) => <input {...a11y} value={form.title} onChange={(e) => set({ title: e.target.value })} />}
          </Field>
          <Field label={s('shortcut')} error={shortcutError} hint={s('shortcutHint')}>
            {(a11y) => (
              <div className="prefixed">
                <span aria-hidden="true">/</span>
                <input
                  {...a11y}
                  autoComplete="off"
                  spellCheck={false}
                  value={form.shortcut}
                  onChange={(e) => set({ shortcut: e.target.value })}
                />
              </div>
            )}
          </Field>
          <Field label={s('cannedLanguage')} error={f('locale')}>
            {(a11y) => (
              <select
                {...a11y}
                value={form.locale ?? ''}
                onChange={(e) => set({ locale: e.target.value === '' ? null : (e.target.value as 'en' | 'th') })}
              >
                <option value="">{s('anyLanguage')}</option>
                <option value="en">{s('languageEn')}</option>
                <option value="th">{s('languageTh')}</option>
              </select>
            )}
          </Field>
        </div>
        <Field label={s('cannedBody')} error={f('body')}>
          {(a11y) => <textarea {...a11y} ref={bodyRef} rows={6} value={form.body} onChange={(e) => set({ body: e.target.value })} />}
        </Field>
        <div className="placeholders" role="group" aria-label={s('placeholders')}>
          <span className="label">{s('placeholders')}</span>
          {placeholders.map((p) => (
            <button key={p} type="button" className="chip chip-button" title={s('insertPlaceholder')} onClick={() => insert(p)}>
              {`{{${p}}}`}
            </button>
          ))}
        </div>
      </fieldset>
      {form.body.trim() && (
        <div className="preview">
          <span className="label">{s('previewSample')}</span>
          <p className="preview-text">{previewOf(form.body, sample)}</p>
        </div>
      )}
      {canEdit && <FormActions submit={submit} label={item ? s('saveChanges') : s('createCanned')} onCancel={onCancel} />}
    </form>
  );
}
