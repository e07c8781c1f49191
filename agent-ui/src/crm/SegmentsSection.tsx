// Segments: a list on the left; on the right the selected (or a new) segment's name, its rules in a
// builder with a live count (counted by the server a moment after each change), and its members.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { AttributeDefinition } from '../../../server/domain/crm/attributes.js';
import type { Segment } from '../../../server/domain/crm/segments.js';
import type { SegmentRules } from '../../../server/domain/crm/segment-rules.js';
import type { Customer } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useStrings } from '../i18n';
import { ConfirmButton, ErrorBanner, Field, FormActions, useSubmit } from '../admin/form-kit';
import { ListItem, SectionLayout } from '../admin/SectionLayout';
import { useLoaded } from '../admin/useLoaded';
import { TierBadges } from '../customer/TierBadges';
import { RuleGroup } from './RuleBuilder';
import { valueApi, type ValueApi } from './value-api';
import { VALUE_STRINGS } from './value-strings';
import './value.css';

const NEW_RULES: SegmentRules = { all: [{ field: 'tier', op: 'in', values: ['gold', 'platinum'] }] };

export function SegmentsSection({ api }: { api: Api }) {
  const s = useStrings(VALUE_STRINGS);
  const crm = useMemo(() => valueApi(api), [api]);
  const loaded = useLoaded(async () => {
    const [segments, attributes] = await Promise.all([crm.segments(), crm.attributes()]);
    return { segments: segments.segments, attributes: attributes.attributes };
  });
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  // A new segment's editor is remounted under its id once saved; this carries the "saved" notice over.
  const [justSaved, setJustSaved] = useState<string | null>(null);
  const segment = loaded.data?.segments.find((x) => x.id === selected);
  const list = (loaded.data?.segments ?? []).map((seg) => (
    <ListItem key={seg.id} selected={seg.id === selected} onSelect={() => setSelected(seg.id)} title={seg.name}>
      {seg.description && <span className="item-line muted">{seg.description}</span>}
    </ListItem>
  ));
  return (
    <SectionLayout
      title={s('segmentsTitle')}
      loading={!loaded.data && !loaded.error}
      error={loaded.error}
      newLabel={s('newSegment')}
      onNew={() => setSelected('new')}
      list={list}
      empty={s('noSegments')}
    >
      {loaded.data && (selected === 'new' || segment) ? (
        <SegmentEditor
          key={selected}
          crm={crm}
          segment={segment ?? null}
          attributes={loaded.data.attributes}
          justSaved={segment !== undefined && justSaved === segment.id}
          onSaved={(saved) => {
            setJustSaved(saved.id);
            loaded.set((d) => ({
              ...d,
              segments: [...d.segments.filter((x) => x.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name)),
            }));
            setSelected(saved.id);
          }}
          onRemoved={(id) => {
            loaded.set((d) => ({ ...d, segments: d.segments.filter((x) => x.id !== id) }));
            setSelected(null);
          }}
        />
      ) : (
        <p className="detail-empty muted">{s('selectSegment')}</p>
      )}
    </SectionLayout>
  );
}

/** The server's count of the rules as they stand, a moment after the last change. */
function useLiveCount(crm: ValueApi, rules: SegmentRules) {
  const [state, setState] = useState<{ count: number | null; error: string | null; busy: boolean }>({
    count: null,
    error: null,
    busy: true,
  });
  const key = JSON.stringify(rules);
  useEffect(() => {
    let live = true;
    setState((st) => ({ ...st, busy: true }));
    const timer = setTimeout(() => {
      crm.preview(rules).then(
        (r) => live && setState({ count: r.count, error: null, busy: false }),
        (err: unknown) => live && setState({ count: null, error: err instanceof Error ? err.message : String(err), busy: false }),
      );
    }, 350);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]); // the rules' content, not their identity
  return state;
}

function SegmentEditor(props: {
  crm: ValueApi;
  segment: Segment | null;
  attributes: AttributeDefinition[];
  justSaved: boolean;
  onSaved: (s: Segment) => void;
  onRemoved: (id: string) => void;
}) {
  const { crm, segment } = props;
  const s = useStrings(VALUE_STRINGS);
  const submit = useSubmit();
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [rules, setRules] = useState<SegmentRules>(segment?.rules ?? NEW_RULES);
  const [saved, setSaved] = useState<string | null>(props.justSaved ? s('segmentSaved') : null);
  const count = useLiveCount(crm, rules);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const body = { name, description: description.trim() || null, rules };
    const r = await submit.run(() => (segment ? crm.updateSegment(segment.id, body) : crm.createSegment(body)));
    if (r) {
      props.onSaved(r.segment);
      setSaved(s('segmentSaved'));
    }
  };

  return (
    <div className="admin-detail-inner segment-editor">
      <form onSubmit={save}>
        <div className="detail-head">
          <h2 className="detail-title">{segment?.name ?? s('newSegment')}</h2>
          <p className={`live-count${count.error ? ' is-error' : ''}`} role="status" aria-live="polite">
            {count.busy ? s('counting') : count.count !== null ? s('liveCount', { count: count.count.toLocaleString() }) : ''}
          </p>
        </div>
        <div className="value-row">
          <Field label={s('segmentName')} error={submit.fieldError('name')}>
            {(a) => <input {...a} value={name} required onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label={s('segmentDescription')} error={submit.fieldError('description')}>
            {(a) => <input {...a} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </Field>
        </div>
        <RuleGroup group={rules} defs={props.attributes} depth={0} disabled={false} onChange={setRules} />
        {count.error && <p className="field-error rule-error">{count.error}</p>}
        <div className="attribute-actions">
          <FormActions submit={submit} label={s('saveSegment')} saved={saved} />
          {segment && (
            <ConfirmButton
              label={s('deleteSegment')}
              confirm={`${s('deleteSegment')}?`}
              onConfirm={async () => {
                await submit.run(() => crm.removeSegment(segment.id));
                props.onRemoved(segment.id);
              }}
            />
          )}
        </div>
      </form>
      {segment && <Members crm={crm} segmentId={segment.id} version={segment.updatedAt} />}
    </div>
  );
}

function Members({ crm, segmentId, version }: { crm: ValueApi; segmentId: string; version: number }) {
  const s = useStrings(VALUE_STRINGS);
  const [page, setPage] = useState<{ customers: Customer[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setPage(null), [segmentId, version]);
  const load = async (after: string | null) => {
    try {
      const r = await crm.members(segmentId, after);
      setPage((p) => ({ customers: [...(after ? (p?.customers ?? []) : []), ...r.customers], next: r.nextCursor }));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section className="admin-card segment-members" aria-label={s('members')}>
      <h3>{s('members')}</h3>
      <ErrorBanner error={error} />
      {!page ? (
        <button type="button" className="btn btn-small" onClick={() => void load(null)}>
          {s('showMembers')}
        </button>
      ) : (
        <>
          <ul className="segment-member-list">
            {page.customers.map((c) => (
              <li key={c.id}>
                <span>{c.name ?? c.id}</span>
                <TierBadges customer={c} />
              </li>
            ))}
          </ul>
          {page.next && (
            <button type="button" className="btn btn-small btn-quiet" onClick={() => void load(page.next)}>
              {s('moreMembers')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
