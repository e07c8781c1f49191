// A queue's settings in one form and one request: nothing is stored unless the API accepts it all.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ROUTING_STRATEGIES, type RoutingStrategy } from '../../../server/domain/routing/types.js';
import { CHANNEL_KINDS, type ChannelKind } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import type { AdminApi, Queue } from './admin-api';
import { AfterHoursEditor } from './AfterHoursEditor';
import { BusinessHoursEditor } from './BusinessHoursEditor';
import { DurationField } from './DurationField';
import { ErrorBanner, Field, useSubmit } from './form-kit';
import { bodyOf, draftOf, type QueueDraft } from './queue-draft';
import { SkillRows } from './SkillRows';
import { SlaEditor } from './SlaEditor';
import { ADMIN_STRINGS } from './strings';

interface Props {
  admin: AdminApi;
  /** null: a new queue. */
  queue: Queue | null;
  queues: Queue[];
  knownSkills: string[];
  canEdit: boolean;
  onSaved: (queue: Queue) => void;
  onCancel?: () => void;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="form-section">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

export function QueueForm({ admin, queue, queues, knownSkills, canEdit, onSaved, onCancel }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const { t } = useI18n();
  const [draft, setDraft] = useState<QueueDraft>(() => draftOf(queue));
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();
  const f = submit.fieldError;
  const channelsId = useId();
  const set = <K extends keyof QueueDraft>(key: K, value: QueueDraft[K]) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const body = bodyOf(draft);
    setSaved(false);
    const result = await submit.run(() => (queue ? admin.updateQueue(queue.id, body) : admin.createQueue(body)));
    if (!result) return;
    setSaved(true);
    onSaved(result.queue);
  };
  const toggleChannel = (kind: ChannelKind, on: boolean) =>
    set('channels', on ? CHANNEL_KINDS.filter((k) => k === kind || draft.channels.includes(k)) : draft.channels.filter((k) => k !== kind));

  return (
    <form className="admin-form" onSubmit={save} noValidate aria-label={queue ? s('editQueueNamed', { name: queue.name }) : s('newQueue')}>
      <fieldset className="form-body" disabled={!canEdit}>
        <Section title={s('general')}>
          <Field label={s('queueName')} error={f('name')}>
            {(a11y) => <input {...a11y} value={draft.name} autoComplete="off" onChange={(e) => set('name', e.target.value)} />}
          </Field>
          <div className="admin-field" role="group" aria-labelledby={channelsId}>
            <span className="label" id={channelsId}>
              {s('channelsServed')}
            </span>
            <div className="check-grid">
              {CHANNEL_KINDS.map((kind) => (
                <label key={kind} className="check">
                  <input type="checkbox" checked={draft.channels.includes(kind)} onChange={(e) => toggleChannel(kind, e.target.checked)} />
                  {t(`channel_${kind}`)}
                </label>
              ))}
            </div>
            {f('channels') && <p className="field-error">{f('channels')}</p>}
          </div>
          <div className="field-row">
            <Field label={s('strategy')} error={f('strategy')} hint={s(`strategyHint_${draft.strategy}`)}>
              {(a11y) => (
                <select {...a11y} value={draft.strategy} onChange={(e) => set('strategy', e.target.value as RoutingStrategy)}>
                  {ROUTING_STRATEGIES.map((st) => (
                    <option key={st} value={st}>
                      {s(`strategy_${st}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={s('priority')} error={f('priority')} hint={s('priorityHint')}>
              {(a11y) => (
                <input
                  {...a11y}
                  type="number"
                  min={-100}
                  max={100}
                  value={draft.priority}
                  onChange={(e) => set('priority', e.target.value)}
                />
              )}
            </Field>
            <Field label={s('agingPerMinute')} error={f('agingPerMinute')} hint={s('agingHint')}>
              {(a11y) => (
                <input
                  {...a11y}
                  type="number"
                  min={0}
                  max={100}
                  step="any"
                  value={draft.agingPerMinute}
                  onChange={(e) => set('agingPerMinute', e.target.value)}
                />
              )}
            </Field>
          </div>
        </Section>

        <Section title={s('requiredSkills')}>
          <SkillRows
            rows={draft.requiredSkills}
            onChange={(rows) => set('requiredSkills', rows)}
            skillLabel={s('requiredSkill')}
            levelLabel={s('minLevel')}
            addLabel={s('addRequiredSkill')}
            known={knownSkills}
            errorFor={(i) => f(`requiredSkills.${i}`)}
            emptyText={s('noRequiredSkills')}
          />
          {f('requiredSkills') && !draft.requiredSkills.some((_, i) => f(`requiredSkills.${i}`)) && (
            <p className="field-error">{f('requiredSkills')}</p>
          )}
        </Section>

        <Section title={s('offers')}>
          <div className="field-row">
            <DurationField
              label={s('offerTimeout')}
              value={draft.offerTimeout}
              onChange={(v) => set('offerTimeout', v)}
              error={f('offerTimeoutMs')}
            />
            <DurationField label={s('wrapUp')} value={draft.wrapUp} onChange={(v) => set('wrapUp', v)} error={f('wrapUpMs')} />
            <Field label={s('maxMisses')} error={f('maxMisses')} hint={s('maxMissesHint')}>
              {(a11y) => (
                <input
                  {...a11y}
                  type="number"
                  min={0}
                  max={100}
                  value={draft.maxMisses}
                  onChange={(e) => set('maxMisses', e.target.value)}
                />
              )}
            </Field>
            <DurationField
              label={s('stickyWindow')}
              value={draft.sticky}
              onChange={(v) => set('sticky', v)}
              error={f('stickyMs')}
              hint={s('stickyHint')}
            />
          </div>
          <label className="check">
            <input type="checkbox" checked={draft.autoAccept} onChange={(e) => set('autoAccept', e.target.checked)} />
            {s('autoAccept')}
          </label>
        </Section>

        <Section title={s('overflow')}>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.overflow.on}
              onChange={(e) => set('overflow', { ...draft.overflow, on: e.target.checked })}
            />
            {s('overflowOn')}
          </label>
          {draft.overflow.on && (
            <div className="field-row">
              <DurationField
                label={s('overflowAfter')}
                value={draft.overflow.after}
                onChange={(after) => set('overflow', { ...draft.overflow, after })}
                error={f('overflow.afterMs')}
              />
              <Field label={s('overflowTo')} error={f('overflow.toQueueId')}>
                {(a11y) => (
                  <select
                    {...a11y}
                    value={draft.overflow.toQueueId}
                    onChange={(e) => set('overflow', { ...draft.overflow, toQueueId: e.target.value })}
                  >
                    <option value="">{s('overflowWiden')}</option>
                    {queues
                      .filter((q) => q.id !== queue?.id)
                      .map((q) => (
                        <option key={q.id} value={q.id}>
                          {q.name}
                        </option>
                      ))}
                  </select>
                )}
              </Field>
            </div>
          )}
        </Section>

        <Section title={s('businessHours')}>
          <BusinessHoursEditor value={draft.hours} onChange={(hours) => set('hours', hours)} fieldError={f} />
        </Section>

        <Section title={s('afterHours')}>
          <AfterHoursEditor value={draft.afterHours} onChange={(v) => set('afterHours', v)} fieldError={f} />
        </Section>

        <Section title={s('slaTargets')}>
          <SlaEditor value={draft.sla} onChange={(sla) => set('sla', sla)} fieldError={f} />
        </Section>

        <Section title={s('serviceLevel')}>
          <div className="field-row">
            <DurationField
              label={s('serviceLevelThreshold')}
              value={draft.serviceLevel}
              onChange={(v) => set('serviceLevel', v)}
              error={f('serviceLevelMs')}
            />
            <Field label={s('serviceLevelTarget')} error={f('serviceLevelTarget')} hint={s('serviceLevelHint')}>
              {(a11y) => (
                <input
                  {...a11y}
                  type="number"
                  min={1}
                  max={100}
                  step="any"
                  value={draft.serviceLevelPercent}
                  onChange={(e) => set('serviceLevelPercent', e.target.value)}
                />
              )}
            </Field>
          </div>
        </Section>
      </fieldset>
      {canEdit && (
        <div className="form-actions">
          <ErrorBanner error={submit.error} />
          <div className="form-buttons">
            {saved && queue && (
              <span className="saved-note" role="status">
                {s('savedNote')}
              </span>
            )}
            {onCancel && (
              <button type="button" className="btn" onClick={onCancel}>
                {s('cancel')}
              </button>
            )}
            <button type="submit" className="btn btn-primary" disabled={submit.busy}>
              {submit.busy ? s('saving') : queue ? s('saveChanges') : s('createQueue')}
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
