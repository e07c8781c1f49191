// An agent's routing profile: skills with levels, capacity per channel class and the queues they
// work, saved in one request (skills and queues are replaced, capacity merged).
import { useState, type FormEvent } from 'react';
import { CAPACITY_CLASSES, type CapacityClass } from '../../../server/domain/routing/types.js';
import type { User } from '../../../server/domain/types.js';
import { useI18n, useStrings, type MessageKey } from '../i18n';
import type { AdminApi, Queue, RoutingProfile } from './admin-api';
import { ErrorBanner, FormActions, Field, useSubmit } from './form-kit';
import { SkillRows, type SkillRow } from './SkillRows';
import { ADMIN_STRINGS } from './strings';
import { useLoaded } from './useLoaded';

interface Props {
  admin: AdminApi;
  user: User;
  queues: Queue[];
  knownSkills: string[];
  canEdit: boolean;
}

/** Loads the profile, then shows the form for it. */
export function RoutingProfileCard(props: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const profile = useLoaded(async () => (await props.admin.routing(props.user.id)).routing);
  if (profile.error) return <ErrorBanner error={profile.error} />;
  if (!profile.data) return <p className="muted">{s('loading')}</p>;
  return <RoutingProfileForm {...props} profile={profile.data} />;
}

const rowsOf = (skills: Record<string, number>): SkillRow[] =>
  Object.entries(skills)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([skill, level]) => ({ skill, level: String(level) }));

function RoutingProfileForm({ admin, user, queues, knownSkills, canEdit, profile }: Props & { profile: RoutingProfile }) {
  const s = useStrings(ADMIN_STRINGS);
  const { t } = useI18n();
  const [skills, setSkills] = useState(() => rowsOf(profile.skills));
  const [capacity, setCapacity] = useState(() => Object.fromEntries(CAPACITY_CLASSES.map((c) => [c, String(profile.capacity[c])])));
  const [queueIds, setQueueIds] = useState(() => new Set(profile.queueIds));
  const [current, setCurrent] = useState(profile);
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();
  const f = submit.fieldError;
  const touched = () => setSaved(false);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const names = skills.map((r) => r.skill.trim());
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) return submit.fail(s('skillTwice', { skill: repeated }));
    const body = {
      skills: Object.fromEntries(skills.map((r) => [r.skill.trim(), r.level.trim() === '' ? NaN : Number(r.level)])),
      capacity: Object.fromEntries(CAPACITY_CLASSES.map((c) => [c, capacity[c]!.trim() === '' ? NaN : Number(capacity[c])])),
      queueIds: queues.filter((q) => queueIds.has(q.id)).map((q) => q.id),
    };
    const result = await submit.run(() => admin.updateRouting(user.id, body));
    if (result) {
      setCurrent(result.routing);
      setSaved(true);
    }
  };

  return (
    <form className="admin-form" onSubmit={save} noValidate aria-label={s('routingOf', { name: user.name })}>
      <p className="muted routing-now">
        {t(`presence_${current.presence}` as MessageKey)} ·{' '}
        {s('loadNow', {
          chat: String(current.load.chat),
          messaging: String(current.load.messaging),
          email: String(current.load.email),
          voice: String(current.load.voice),
        })}
      </p>
      <fieldset className="form-body" disabled={!canEdit}>
        <fieldset className="form-section">
          <legend>{s('skills')}</legend>
          <SkillRows
            rows={skills}
            onChange={(rows) => {
              touched();
              setSkills(rows);
            }}
            skillLabel={s('skill')}
            levelLabel={s('level')}
            addLabel={s('addSkill')}
            known={knownSkills}
            errorFor={(i) => f(`skills.${skills[i]?.skill.trim()}`)}
            emptyText={s('noSkills')}
          />
          <p className="field-hint">{s('skillsHint')}</p>
        </fieldset>
        <fieldset className="form-section">
          <legend>{s('capacity')}</legend>
          <div className="field-row">
            {CAPACITY_CLASSES.map((c: CapacityClass) => (
              <Field key={c} label={s(`capacity_${c}`)} error={f(`capacity.${c}`)}>
                {(a11y) => (
                  <input
                    {...a11y}
                    type="number"
                    min={0}
                    max={50}
                    value={capacity[c]}
                    onChange={(e) => {
                      touched();
                      setCapacity((v) => ({ ...v, [c]: e.target.value }));
                    }}
                  />
                )}
              </Field>
            ))}
          </div>
          <p className="field-hint">{s('capacityHint')}</p>
        </fieldset>
        <fieldset className="form-section">
          <legend>{s('queues')}</legend>
          {queues.length === 0 && <p className="muted">{s('noQueues')}</p>}
          <div className="check-grid">
            {queues.map((q) => (
              <label key={q.id} className="check">
                <input
                  type="checkbox"
                  checked={queueIds.has(q.id)}
                  onChange={(e) => {
                    touched();
                    setQueueIds((ids) => {
                      const next = new Set(ids);
                      if (e.target.checked) next.add(q.id);
                      else next.delete(q.id);
                      return next;
                    });
                  }}
                />
                {q.name}
              </label>
            ))}
          </div>
          {f('queueIds') && <p className="field-error">{f('queueIds')}</p>}
        </fieldset>
      </fieldset>
      {canEdit && <FormActions submit={submit} label={s('saveRouting')} saved={saved ? s('routingSaved') : null} />}
    </form>
  );
}
