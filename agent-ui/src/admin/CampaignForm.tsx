// One campaign's settings: name, segment, channel account, the message (a template with the customer's
// details), when it goes (once, or a trigger) and its pace. The preview is the server's rendering for a
// real customer of the segment, so what it shows is what they would get.
import { useRef, useState, type FormEvent } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { TRIGGER_KINDS, type CampaignTrigger, type CampaignTriggerKind, type NewCampaign } from '../../../server/domain/crm/campaign.js';
import { useI18n, useStrings } from '../i18n';
import { OUTBOUND_STRINGS } from '../crm/outbound-strings';
import type { CampaignView, OutboundApi } from '../crm/outbound-api';
import { Field, FormActions, useSubmit } from './form-kit';

const DEFAULT_TRIGGER: Record<CampaignTriggerKind, CampaignTrigger> = {
  once: { kind: 'once' },
  after_purchase: { kind: 'after_purchase', delayHours: 24 * 30 },
  silent_for_days: { kind: 'silent_for_days', days: 60 },
  activity_dropped: { kind: 'activity_dropped', windowDays: 90, dropPercent: 50 },
};

/** `2026-03-02T10:00` in the browser's zone ↔ epoch ms. */
const toLocalInput = (ms: number | null) => {
  if (ms === null) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).getTime() : null);

interface Props {
  outbound: OutboundApi;
  item: CampaignView | null;
  accounts: ChannelAccount[];
  segments: { id: string; name: string }[];
  placeholders: string[];
  canEdit: boolean;
  onSaved: (c: CampaignView) => void;
  onCancel?: () => void;
}

export function CampaignForm({ outbound, item, accounts, segments, placeholders, canEdit, onSaved, onCancel }: Props) {
  const s = useStrings(OUTBOUND_STRINGS);
  const { t } = useI18n();
  const [form, setForm] = useState<NewCampaign>(() => ({
    name: item?.name ?? '',
    segmentId: item?.segmentId ?? null,
    channelAccountId: item?.channelAccountId ?? accounts[0]?.id ?? '',
    subject: item?.subject ?? null,
    template: item?.template ?? '',
    trigger: item?.trigger ?? { kind: 'once' },
    sendAt: item?.sendAt ?? null,
    ratePerMinute: item?.ratePerMinute ?? 60,
  }));
  const [preview, setPreview] = useState<Awaited<ReturnType<OutboundApi['preview']>> | null>(null);
  const previewing = useSubmit();
  const submit = useSubmit();
  const templateRef = useRef<HTMLTextAreaElement>(null);
  const f = submit.fieldError;
  const set = (patch: Partial<NewCampaign>) => setForm((v) => ({ ...v, ...patch }));
  const account = accounts.find((a) => a.id === form.channelAccountId);
  const trigger = form.trigger;
  // A sending campaign is paused before it is changed; a finished one stays as it ran.
  const editable = canEdit && (!item || (item.status !== 'running' && item.status !== 'done'));

  const insert = (name: string) => {
    const area = templateRef.current;
    const token = `{{${name.replace('<key>', 'key')}}}`;
    const start = area?.selectionStart ?? form.template.length;
    const end = area?.selectionEnd ?? form.template.length;
    set({ template: form.template.slice(0, start) + token + form.template.slice(end) });
    requestAnimationFrame(() => area?.focus());
  };
  const runPreview = async () => {
    const result = await previewing.run(() =>
      outbound.preview({
        template: form.template,
        subject: form.subject?.trim() ? form.subject.trim() : null,
        channelAccountId: form.channelAccountId,
        segmentId: form.segmentId,
      }),
    );
    if (result) setPreview(result);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body: NewCampaign = {
      ...form,
      subject: form.subject?.trim() ? form.subject.trim() : null,
      sendAt: trigger.kind === 'once' ? form.sendAt : null,
    };
    const result = await submit.run(() => (item ? outbound.updateCampaign(item.id, body) : outbound.createCampaign(body)));
    if (result) onSaved(result.campaign);
  };
  const setTrigger = (patch: Partial<Record<string, number>>) => set({ trigger: { ...trigger, ...patch } as CampaignTrigger });
  const numberField = (label: string, key: string, value: number, min: number, max: number) => (
    <Field label={label} error={f(`trigger.${key}`)}>
      {(a11y) => (
        <input {...a11y} type="number" min={min} max={max} value={value} onChange={(e) => setTrigger({ [key]: Number(e.target.value) })} />
      )}
    </Field>
  );

  return (
    <form className="admin-form campaign-form" onSubmit={save} noValidate aria-label={item ? item.name : s('newCampaign')}>
      <fieldset className="form-body" disabled={!editable}>
        {item && item.status === 'running' && <p className="field-hint">{s('lockedHint')}</p>}
        <div className="field-row">
          <Field label={s('campaignName')} error={f('name')}>
            {(a11y) => <input {...a11y} value={form.name} maxLength={120} onChange={(e) => set({ name: e.target.value })} />}
          </Field>
          <Field label={s('segment')} error={f('segmentId')}>
            {(a11y) => (
              <select {...a11y} value={form.segmentId ?? ''} onChange={(e) => set({ segmentId: e.target.value || null })}>
                <option value="">{s('everyone')}</option>
                {segments.map((seg) => (
                  <option key={seg.id} value={seg.id}>
                    {seg.name}
                  </option>
                ))}
                {form.segmentId && !segments.some((seg) => seg.id === form.segmentId) && (
                  <option value={form.segmentId}>{form.segmentId}</option>
                )}
              </select>
            )}
          </Field>
          <Field label={s('channelAccount')} error={f('channelAccountId')}>
            {(a11y) => (
              <select {...a11y} value={form.channelAccountId} onChange={(e) => set({ channelAccountId: e.target.value })}>
                {!form.channelAccountId && <option value="">{s('chooseAccount')}</option>}
                {accounts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} · {t(`channel_${a.kind}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {account?.kind === 'email' && (
          <Field label={s('subject')} error={f('subject')} hint={s('subjectHint')}>
            {(a11y) => <input {...a11y} value={form.subject ?? ''} maxLength={200} onChange={(e) => set({ subject: e.target.value })} />}
          </Field>
        )}
        <Field label={s('template')} error={f('template')} hint={s('templateHint')}>
          {(a11y) => (
            <textarea {...a11y} ref={templateRef} rows={5} value={form.template} onChange={(e) => set({ template: e.target.value })} />
          )}
        </Field>
        <div className="placeholders" role="group" aria-label={s('placeholders')}>
          <span className="label">{s('placeholders')}</span>
          {placeholders.map((p) => (
            <button key={p} type="button" className="chip chip-button" onClick={() => insert(p)}>
              {`{{${p}}}`}
            </button>
          ))}
        </div>
        <fieldset className="form-section">
          <legend>{s('whenToSend')}</legend>
          <div className="choice-row" role="radiogroup" aria-label={s('whenToSend')}>
            {TRIGGER_KINDS.map((k) => (
              <label key={k} className="check">
                <input type="radio" name="trigger" checked={trigger.kind === k} onChange={() => set({ trigger: DEFAULT_TRIGGER[k] })} />
                {s(`trigger_${k}`)}
              </label>
            ))}
          </div>
          <div className="field-row">
            {trigger.kind === 'once' && (
              <Field label={s('sendAt')} error={f('sendAt')} hint={s('sendAtHint')}>
                {(a11y) => (
                  <input
                    {...a11y}
                    type="datetime-local"
                    value={toLocalInput(form.sendAt)}
                    onChange={(e) => set({ sendAt: fromLocalInput(e.target.value) })}
                  />
                )}
              </Field>
            )}
            {trigger.kind === 'after_purchase' && numberField(s('delayHours'), 'delayHours', trigger.delayHours, 0, 24 * 730)}
            {trigger.kind === 'silent_for_days' && numberField(s('silentDays'), 'days', trigger.days, 1, 3650)}
            {trigger.kind === 'activity_dropped' && (
              <>
                {numberField(s('windowDays'), 'windowDays', trigger.windowDays, 1, 365)}
                {numberField(s('dropPercent'), 'dropPercent', trigger.dropPercent, 1, 100)}
              </>
            )}
            <Field label={s('rate')} error={f('ratePerMinute')} hint={s('rateHint')}>
              {(a11y) => (
                <input
                  {...a11y}
                  type="number"
                  min={1}
                  max={6000}
                  value={form.ratePerMinute}
                  onChange={(e) => set({ ratePerMinute: Number(e.target.value) })}
                />
              )}
            </Field>
          </div>
        </fieldset>
      </fieldset>
      <div className="preview campaign-preview">
        <div className="head-row">
          <span className="label">{s('preview')}</span>
          <button
            type="button"
            className="btn btn-small"
            disabled={!form.template.trim() || !form.channelAccountId || previewing.busy}
            onClick={() => void runPreview()}
          >
            {s('refreshPreview')}
          </button>
        </div>
        {previewing.error && <p className="field-error">{previewing.error}</p>}
        {preview && (
          <>
            <p className="muted">{s('audience', { n: String(preview.audience) })}</p>
            {preview.customer ? (
              <>
                <p className="muted">{s('previewFor', { name: preview.customer.name ?? preview.customer.id })}</p>
                {preview.subject && (
                  <p className="preview-subject">
                    <span className="label">{s('subject')}</span> {preview.subject}
                  </p>
                )}
                <p className="preview-text">{preview.text}</p>
              </>
            ) : (
              <p className="muted">{s('previewNobody')}</p>
            )}
          </>
        )}
      </div>
      {editable && <FormActions submit={submit} label={item ? s('saveCampaign') : s('createCampaign')} onCancel={onCancel} />}
    </form>
  );
}
