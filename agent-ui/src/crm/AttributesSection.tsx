// Admins define the typed attributes customers carry: key, label, type and a choice's options. Each
// definition is a card with its label and options editable in place; the type and key are fixed.
import { useMemo, useState, type FormEvent } from 'react';
import type { AttributeDefinition } from '../../../server/domain/crm/attributes.js';
import { ATTRIBUTE_TYPES, type AttributeType } from '../../../server/domain/crm/segment-rules.js';
import type { Api } from '../api';
import { useStrings } from '../i18n';
import { ConfirmButton, ErrorBanner, Field, FormActions, useSubmit } from '../admin/form-kit';
import { useLoaded } from '../admin/useLoaded';
import { valueApi, type ValueApi } from './value-api';
import { VALUE_STRINGS } from './value-strings';
import './value.css';

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function AttributesSection({ api, canEdit }: { api: Api; canEdit: boolean }) {
  const s = useStrings(VALUE_STRINGS);
  const crm = useMemo(() => valueApi(api), [api]);
  const loaded = useLoaded(async () => (await crm.attributes()).attributes);
  const replace = (def: AttributeDefinition) =>
    loaded.set((list) => [...list.filter((d) => d.key !== def.key), def].sort((a, b) => a.key.localeCompare(b.key)));
  return (
    <div className="admin-detail value-admin">
      <div className="admin-detail-inner narrow">
        <h2 className="detail-title">{s('attributesTitle')}</h2>
        <p className="muted value-intro">{s('attributesIntro')}</p>
        <ErrorBanner error={loaded.error} />
        {loaded.data?.length === 0 && <p className="muted">{s('noAttributes')}</p>}
        {loaded.data?.map((def) => (
          <AttributeCard
            key={def.key}
            crm={crm}
            def={def}
            canEdit={canEdit}
            onSaved={replace}
            onRemoved={() => loaded.set((list) => list.filter((d) => d.key !== def.key))}
          />
        ))}
        {canEdit && <NewAttribute crm={crm} onCreated={replace} />}
      </div>
    </div>
  );
}

function AttributeCard(props: {
  crm: ValueApi;
  def: AttributeDefinition;
  canEdit: boolean;
  onSaved: (d: AttributeDefinition) => void;
  onRemoved: () => void;
}) {
  const { crm, def, canEdit } = props;
  const s = useStrings(VALUE_STRINGS);
  const submit = useSubmit();
  const [label, setLabel] = useState(def.label);
  const [options, setOptions] = useState(def.options.join('\n'));
  const [saved, setSaved] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const body = def.type === 'choice' ? { label, options: lines(options) } : { label };
    const r = await submit.run(() => crm.updateAttribute(def.key, body));
    if (r) {
      props.onSaved(r.attribute);
      setSaved(s('segmentSaved'));
    }
  };
  return (
    <form className="admin-card attribute-card" data-attribute={def.key} onSubmit={save}>
      <h3>
        <code>{def.key}</code> · {s(`type_${def.type}`)}
      </h3>
      <Field label={s('attrLabel')} error={submit.fieldError('label')}>
        {(a) => <input {...a} value={label} disabled={!canEdit} onChange={(e) => setLabel(e.target.value)} />}
      </Field>
      {def.type === 'choice' && (
        <Field label={s('attrOptions')} hint={s('attrOptionsHint')} error={submit.fieldError('options')}>
          {(a) => <textarea {...a} rows={3} value={options} disabled={!canEdit} onChange={(e) => setOptions(e.target.value)} />}
        </Field>
      )}
      {canEdit && (
        <div className="attribute-actions">
          <FormActions submit={submit} label={s('saveAttribute')} saved={saved} />
          <ConfirmButton
            label={s('removeAttribute')}
            confirm={`${s('removeAttribute')} ${def.label}?`}
            onConfirm={async () => {
              if ((await submit.run(() => crm.removeAttribute(def.key))) !== undefined || !submit.error) props.onRemoved();
            }}
          />
        </div>
      )}
    </form>
  );
}

function NewAttribute({ crm, onCreated }: { crm: ValueApi; onCreated: (d: AttributeDefinition) => void }) {
  const s = useStrings(VALUE_STRINGS);
  const submit = useSubmit();
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  const [type, setType] = useState<AttributeType>('text');
  const [options, setOptions] = useState('');
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit.run(() => crm.createAttribute({ key, label, type, ...(type === 'choice' && { options: lines(options) }) }));
    if (r) {
      onCreated(r.attribute);
      setKey('');
      setLabel('');
      setOptions('');
    }
  };
  return (
    <form className="admin-card new-attribute" onSubmit={create} aria-label={s('addAttribute')}>
      <h3>{s('addAttribute')}</h3>
      <div className="value-row">
        <Field label={s('attrKey')} hint={s('attrKeyHint')} error={submit.fieldError('key')}>
          {(a) => <input {...a} value={key} required onChange={(e) => setKey(e.target.value)} />}
        </Field>
        <Field label={s('attrLabel')} error={submit.fieldError('label')}>
          {(a) => <input {...a} value={label} required onChange={(e) => setLabel(e.target.value)} />}
        </Field>
        <Field label={s('attrType')}>
          {(a) => (
            <select {...a} value={type} onChange={(e) => setType(e.target.value as AttributeType)}>
              {ATTRIBUTE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {s(`type_${t}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {type === 'choice' && (
        <Field label={s('attrOptions')} hint={s('attrOptionsHint')} error={submit.fieldError('options')}>
          {(a) => <textarea {...a} rows={3} value={options} onChange={(e) => setOptions(e.target.value)} />}
        </Field>
      )}
      <FormActions submit={submit} label={s('addAttribute')} />
    </form>
  );
}
