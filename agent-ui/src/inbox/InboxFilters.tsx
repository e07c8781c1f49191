// The list's filters behind one toggle: status, channel, queue, tag and priority. Selects apply at
// once; the tag applies when it is a valid tag and typing pauses (or on Enter).
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { CHANNEL_KINDS, CONVERSATION_STATUSES, type ChannelKind } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import { activeFilterCount, NO_FILTERS, type InboxFilters as Filters, type StatusFilter } from './list-query';
import type { QueueName } from './inbox-api';
import { INBOX_STRINGS } from './strings';

const TAG = /^[\p{L}\p{M}\p{N}_-]{1,32}$/u;
const PRIORITIES = [1, 3, 5, 8];
const STATUSES: StatusFilter[] = ['active', ...CONVERSATION_STATUSES, 'any'];

interface Props {
  filters: Filters;
  onChange: (filters: Filters) => void;
  queues: QueueName[];
  /** Tags seen on listed conversations: suggestions for the tag field. */
  knownTags: string[];
}

export function InboxFilters({ filters, onChange, queues, knownTags }: Props) {
  const { t } = useI18n();
  const s = useStrings(INBOX_STRINGS);
  const id = useId();
  const [open, setOpen] = useState(false);
  const [tag, setTag] = useState(filters.tag ?? '');
  const count = activeFilterCount(filters);
  const tagValid = tag.trim() === '' || TAG.test(tag.trim());

  // The field follows the filter when it changes from outside (Clear filters).
  useEffect(() => setTag(filters.tag ?? ''), [filters.tag]);

  // The latest filters for the delayed tag (other filters may change while typing pauses).
  const latest = useRef({ filters, onChange });
  latest.current = { filters, onChange };
  const applyTag = useCallback((text: string) => {
    const next = text.trim().toLowerCase() || null;
    if (next !== null && !TAG.test(next)) return;
    const { filters: current, onChange: change } = latest.current;
    if (next !== current.tag) change({ ...current, tag: next });
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => applyTag(tag), 500);
    return () => clearTimeout(timer);
  }, [tag, applyTag]);

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => onChange({ ...filters, [key]: value });

  return (
    <div className="inbox-filters">
      <div className="inbox-filters-bar">
        <button
          type="button"
          className="btn btn-small"
          aria-expanded={open}
          aria-controls={open ? `${id}-panel` : undefined}
          onClick={() => setOpen((o) => !o)}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {s('filters')}
          {count > 0 && <span className="filter-count">{s('filtersCount', { n: String(count) })}</span>}
        </button>
        {count > 0 && (
          <button type="button" className="btn btn-small btn-quiet" onClick={() => onChange(NO_FILTERS)}>
            {s('clearFilters')}
          </button>
        )}
      </div>
      {open && (
        <div id={`${id}-panel`} className="inbox-filter-grid">
          <div className="mini-field">
            <label htmlFor={`${id}-status`}>{s('filterStatus')}</label>
            <select id={`${id}-status`} value={filters.status} onChange={(e) => set('status', e.target.value as StatusFilter)}>
              {STATUSES.map((status) => (
                <option key={status} value={status}>
                  {status === 'active' ? s('status_active') : status === 'any' ? s('status_any') : t(`conv_${status}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="mini-field">
            <label htmlFor={`${id}-channel`}>{s('filterChannel')}</label>
            <select
              id={`${id}-channel`}
              value={filters.channel ?? ''}
              onChange={(e) => set('channel', (e.target.value || null) as ChannelKind | null)}
            >
              <option value="">{s('anyChannel')}</option>
              {CHANNEL_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`channel_${kind}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="mini-field">
            <label htmlFor={`${id}-queue`}>{s('filterQueue')}</label>
            <select id={`${id}-queue`} value={filters.queueId ?? ''} onChange={(e) => set('queueId', e.target.value || null)}>
              <option value="">{s('anyQueue')}</option>
              {queues.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
            </select>
          </div>
          <div className="mini-field">
            <label htmlFor={`${id}-priority`}>{s('filterPriority')}</label>
            <select
              id={`${id}-priority`}
              value={filters.minPriority === null ? '' : String(filters.minPriority)}
              onChange={(e) => set('minPriority', e.target.value === '' ? null : Number(e.target.value))}
            >
              <option value="">{s('anyPriority')}</option>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {s('priorityAtLeast', { n: String(p) })}
                </option>
              ))}
            </select>
          </div>
          <label className="mini-field mini-field-wide">
            <span>{s('filterTag')}</span>
            <input
              type="text"
              value={tag}
              list={`${id}-tags`}
              placeholder={s('tagPlaceholder')}
              aria-invalid={!tagValid}
              aria-describedby={tagValid ? undefined : `${id}-tag-error`}
              onChange={(e) => setTag(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') applyTag(tag);
              }}
            />
            <datalist id={`${id}-tags`}>
              {knownTags.map((known) => (
                <option key={known} value={known} />
              ))}
            </datalist>
          </label>
          {!tagValid && (
            <p id={`${id}-tag-error`} className="mini-error" role="alert">
              {s('tagInvalid')}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
