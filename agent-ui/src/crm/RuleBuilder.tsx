// A segment's rules as nested groups ("all of" / "any of") of conditions. Each condition picks a field
// (a defined attribute, tag, tier, VIP, channel, contact and order dates, RFM scores, orders, spend),
// an operator that fits it and its value. The tree is the API's JSON as is; the server checks it.
import type { AttributeDefinition } from '../../../server/domain/crm/attributes.js';
import type { SegmentCondition, SegmentGroup, SegmentNode } from '../../../server/domain/crm/segment-rules.js';
import { CHANNEL_KINDS, VALUE_TIERS } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import { CUSTOMER_STRINGS } from '../customer/strings';
import { VALUE_STRINGS, type ValueStringKey } from './value-strings';

const MAX_DEPTH = 3;
const NUMBER_OPS = ['gte', 'gt', 'eq', 'neq', 'lte', 'lt'];
const AGE_OPS = ['withinDays', 'olderThanDays', 'never'];
const PLAIN_FIELDS = [
  'tag',
  'tier',
  'vip',
  'channel',
  'lastContactAt',
  'lastOrderAt',
  'recency',
  'frequency',
  'monetary',
  'rfmTotal',
  'orderCount',
  'totalSpent',
] as const;

type Loose = Record<string, unknown>;

/** The operators a field (or an attribute of a type) takes. */
function opsFor(c: Loose, defs: AttributeDefinition[]): string[] {
  if (c.field === 'attribute') {
    const type = defs.find((d) => d.key === c.key)?.type ?? 'text';
    const ops: Record<string, string[]> = {
      text: ['eq', 'neq', 'contains'],
      number: NUMBER_OPS,
      boolean: ['is'],
      date: ['before', 'after', 'on', 'withinDays', 'olderThanDays'],
      choice: ['in', 'notIn'],
    };
    return [...ops[type]!, 'set', 'unset'];
  }
  switch (c.field) {
    case 'tag':
      return ['has', 'notHas'];
    case 'tier':
      return ['in', 'notIn'];
    case 'vip':
      return [];
    case 'channel':
      return ['reachable', 'contacted'];
    case 'lastContactAt':
    case 'lastOrderAt':
      return AGE_OPS;
    default:
      return NUMBER_OPS;
  }
}

/** A fresh condition for a field choice ("attribute:city", "tier"…), with a sensible operator and value. */
function conditionFor(choice: string, defs: AttributeDefinition[]): SegmentCondition {
  if (choice.startsWith('attribute:')) {
    const def = defs.find((d) => `attribute:${d.key}` === choice)!;
    const base = { field: 'attribute' as const, key: def.key };
    switch (def.type) {
      case 'text':
        return { ...base, type: 'text', op: 'eq', value: '' };
      case 'number':
        return { ...base, type: 'number', op: 'gte', value: 0 };
      case 'boolean':
        return { ...base, type: 'boolean', op: 'is', value: true };
      case 'date':
        return { ...base, type: 'date', op: 'withinDays', days: 30 };
      case 'choice':
        return { ...base, type: 'choice', op: 'in', values: def.options.slice(0, 1) };
    }
  }
  switch (choice) {
    case 'tag':
      return { field: 'tag', op: 'has', value: '' };
    case 'tier':
      return { field: 'tier', op: 'in', values: ['gold', 'platinum'] };
    case 'vip':
      return { field: 'vip', value: true };
    case 'channel':
      return { field: 'channel', op: 'reachable', value: 'line' };
    case 'lastContactAt':
    case 'lastOrderAt':
      return { field: choice, op: 'withinDays', days: 30 };
    case 'orderCount':
    case 'totalSpent':
      return { field: choice, op: 'gte', value: 1 };
    default:
      return { field: choice as 'recency', op: 'gte', value: 4 };
  }
}

/** A condition after its operator changed: the value kept when it still fits, else reset. */
function withOp(c: Loose, op: string): Loose {
  const next: Loose = { ...c, op };
  if (op === 'set' || op === 'unset' || op === 'never') {
    delete next.value;
    delete next.values;
    delete next.days;
  } else if (op === 'withinDays' || op === 'olderThanDays') {
    delete next.value;
    next.days = typeof c.days === 'number' ? c.days : 30;
  } else if (c.type === 'date' && next.value === undefined) {
    delete next.days;
    next.value = new Date().toISOString().slice(0, 10);
  } else if (c.type === 'choice' || c.field === 'tier') {
    next.values = Array.isArray(c.values) ? c.values : [];
  } else if (c.field === 'attribute' && next.value === undefined) {
    next.value = c.type === 'number' ? 0 : c.type === 'boolean' ? true : '';
  }
  return next;
}

interface GroupProps {
  group: SegmentGroup;
  defs: AttributeDefinition[];
  depth: number;
  disabled: boolean;
  onChange: (g: SegmentGroup) => void;
  onRemove?: () => void;
}

export function RuleGroup({ group, defs, depth, disabled, onChange, onRemove }: GroupProps) {
  const s = useStrings(VALUE_STRINGS);
  const mode = 'all' in group ? 'all' : 'any';
  const children: SegmentNode[] = 'all' in group ? group.all : group.any;
  const setChildren = (next: SegmentNode[]) => onChange(mode === 'all' ? { all: next } : { any: next });
  const setChild = (i: number, node: SegmentNode) => setChildren(children.map((c, j) => (j === i ? node : c)));
  const removeChild = (i: number) => setChildren(children.filter((_, j) => j !== i));
  return (
    <div className={`rule-group rule-depth-${depth}`} role="group" aria-label={s(`match_${mode}`)}>
      <div className="head-row">
        <select
          aria-label={s('operator')}
          value={mode}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value === 'all' ? { all: children } : { any: children })}
        >
          <option value="all">{s('match_all')}</option>
          <option value="any">{s('match_any')}</option>
        </select>
        {onRemove && (
          <button type="button" className="btn btn-small btn-quiet" disabled={disabled} onClick={onRemove}>
            × {s('removeCondition')}
          </button>
        )}
      </div>
      <ul className="rule-list">
        {children.map((child, i) => (
          <li key={i}>
            {'all' in child || 'any' in child ? (
              <RuleGroup
                group={child as SegmentGroup}
                defs={defs}
                depth={depth + 1}
                disabled={disabled}
                onChange={(g) => setChild(i, g)}
                onRemove={() => removeChild(i)}
              />
            ) : (
              <RuleCondition
                condition={child}
                defs={defs}
                disabled={disabled}
                onChange={(c) => setChild(i, c)}
                onRemove={() => removeChild(i)}
              />
            )}
          </li>
        ))}
      </ul>
      {!disabled && (
        <div className="rule-add">
          <button type="button" className="btn btn-small" onClick={() => setChildren([...children, conditionFor('tier', defs)])}>
            + {s('addCondition')}
          </button>
          {depth < MAX_DEPTH && (
            <button
              type="button"
              className="btn btn-small btn-quiet"
              onClick={() => setChildren([...children, { any: [conditionFor('tag', defs)] }])}
            >
              + {s('addGroup')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function RuleCondition(props: {
  condition: SegmentCondition;
  defs: AttributeDefinition[];
  disabled: boolean;
  onChange: (c: SegmentCondition) => void;
  onRemove: () => void;
}) {
  const { defs, disabled } = props;
  const s = useStrings(VALUE_STRINGS);
  const c = props.condition as unknown as Loose;
  const change = (next: Loose) => props.onChange(next as unknown as SegmentCondition);
  const choice = c.field === 'attribute' ? `attribute:${String(c.key)}` : String(c.field);
  const ops = opsFor(c, defs);
  const def = c.field === 'attribute' ? defs.find((d) => d.key === c.key) : undefined;
  const op = String(c.op ?? '');
  const label = (key: string) => s(key as ValueStringKey);

  return (
    <div className="rule-condition" data-field={choice}>
      <select
        aria-label={s('field')}
        value={choice}
        disabled={disabled}
        onChange={(e) => change(conditionFor(e.target.value, defs) as unknown as Loose)}
      >
        {defs.map((d) => (
          <option key={d.key} value={`attribute:${d.key}`}>
            {d.label}
          </option>
        ))}
        {PLAIN_FIELDS.map((f) => (
          <option key={f} value={f}>
            {label(`field_${f}`)}
          </option>
        ))}
      </select>
      {ops.length > 0 && (
        <select aria-label={s('operator')} value={op} disabled={disabled} onChange={(e) => change(withOp(c, e.target.value))}>
          {ops.map((o) => (
            <option key={o} value={o}>
              {label(`op_${o}`)}
            </option>
          ))}
        </select>
      )}
      <ConditionValue c={c} def={def} disabled={disabled} onChange={change} />
      <button
        type="button"
        className="btn btn-small btn-quiet"
        aria-label={s('removeCondition')}
        disabled={disabled}
        onClick={props.onRemove}
      >
        ×
      </button>
    </div>
  );
}

function ConditionValue({
  c,
  def,
  disabled,
  onChange,
}: {
  c: Loose;
  def?: AttributeDefinition;
  disabled: boolean;
  onChange: (c: Loose) => void;
}) {
  const s = useStrings(VALUE_STRINGS);
  const cs = useStrings(CUSTOMER_STRINGS);
  const op = String(c.op ?? '');
  if (op === 'set' || op === 'unset' || op === 'never') return null;
  if (op === 'withinDays' || op === 'olderThanDays') {
    return (
      <span className="rule-days">
        <input
          aria-label={s('days')}
          type="number"
          min={0}
          value={Number(c.days ?? 0)}
          disabled={disabled}
          onChange={(e) => onChange({ ...c, days: Number(e.target.value) })}
        />
        {s('days')}
      </span>
    );
  }
  if (c.field === 'vip' || (c.field === 'attribute' && def?.type === 'boolean')) {
    return (
      <select
        aria-label={s('value')}
        value={String(c.value)}
        disabled={disabled}
        onChange={(e) => onChange({ ...c, value: e.target.value === 'true' })}
      >
        <option value="true">{s('yes')}</option>
        <option value="false">{s('no')}</option>
      </select>
    );
  }
  const multi = (options: readonly string[], labelOf: (o: string) => string) => {
    const values = (c.values as string[] | undefined) ?? [];
    return (
      <span className="rule-multi" role="group" aria-label={s('value')}>
        {options.map((o) => (
          <label key={o} className="rule-chip">
            <input
              type="checkbox"
              checked={values.includes(o)}
              disabled={disabled}
              onChange={(e) => onChange({ ...c, values: e.target.checked ? [...values, o] : values.filter((v) => v !== o) })}
            />
            {labelOf(o)}
          </label>
        ))}
      </span>
    );
  };
  if (c.field === 'tier')
    return multi([...VALUE_TIERS, 'none'], (o) => (o === 'none' ? s('none') : cs(`tier_${o as (typeof VALUE_TIERS)[number]}`)));
  if (c.field === 'attribute' && def?.type === 'choice') return multi(def.options, (o) => o);
  if (c.field === 'channel') {
    return (
      <select
        aria-label={s('value')}
        value={String(c.value)}
        disabled={disabled}
        onChange={(e) => onChange({ ...c, value: e.target.value })}
      >
        {CHANNEL_KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
    );
  }
  const numeric = c.field !== 'tag' && !(c.field === 'attribute' && (def?.type === 'text' || def?.type === 'date'));
  if (c.field === 'attribute' && def?.type === 'date') {
    return (
      <input
        aria-label={s('value')}
        type="date"
        value={String(c.value ?? '')}
        disabled={disabled}
        onChange={(e) => onChange({ ...c, value: e.target.value })}
      />
    );
  }
  return (
    <input
      aria-label={s('value')}
      type={numeric ? 'number' : 'text'}
      step="any"
      value={String(c.value ?? '')}
      disabled={disabled}
      onChange={(e) => onChange({ ...c, value: numeric ? Number(e.target.value) : e.target.value })}
    />
  );
}
