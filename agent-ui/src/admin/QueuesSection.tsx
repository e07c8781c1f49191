// Queues: the list, and the selected queue's settings, members and deletion.
import { useMemo, useState } from 'react';
import { CHANNEL_KINDS } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import { upsert, type AdminApi, type Queue } from './admin-api';
import { ConfirmButton, ErrorBanner, Notice, useSubmit } from './form-kit';
import { QueueForm } from './QueueForm';
import { QueueMembersForm } from './QueueMembersForm';
import { ListItem, SectionLayout } from './SectionLayout';
import { ADMIN_STRINGS } from './strings';
import { useLoaded } from './useLoaded';

interface Props {
  admin: AdminApi;
  canEdit: boolean;
}

export function QueuesSection({ admin, canEdit }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const queues = useLoaded(async () => (await admin.queues()).queues);
  const users = useLoaded(async () => (await admin.users()).users);
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const removal = useSubmit();
  const list = queues.data ?? [];
  const queue = list.find((q) => q.id === selected) ?? null;
  const knownSkills = useMemo(() => [...new Set(list.flatMap((q) => q.requiredSkills.map((r) => r.skill)))].sort(), [list]);

  const select = (id: string | 'new' | null) => {
    setSelected(id);
    setNotice(null);
    removal.reset();
  };
  const created = (q: Queue) => {
    queues.set((all) => upsert(all, q));
    setSelected(q.id);
    setNotice(s('queueCreated', { name: q.name }));
  };
  const remove = async (q: Queue) => {
    const done = await removal.run(async () => {
      await admin.deleteQueue(q.id);
      return true;
    });
    if (!done) return;
    queues.set((all) => all.filter((x) => x.id !== q.id));
    select(null);
    setNotice(s('queueDeleted', { name: q.name }));
  };

  return (
    <SectionLayout
      title={s('queues')}
      loading={queues.data === null && !queues.error}
      error={queues.error}
      newLabel={canEdit ? s('newQueue') : null}
      onNew={() => select('new')}
      list={list.map((q) => (
        <ListItem key={q.id} selected={q.id === selected} onSelect={() => select(q.id)} title={q.name}>
          <QueueSummary queue={q} />
        </ListItem>
      ))}
      empty={s('noQueues')}
    >
      {selected === null && notice && <Notice text={notice} />}
      {selected === 'new' && (
        <div className="admin-detail-inner">
          <h2 className="detail-title">{s('newQueue')}</h2>
          <QueueForm
            key="new"
            admin={admin}
            queue={null}
            queues={list}
            knownSkills={knownSkills}
            canEdit={canEdit}
            onSaved={created}
            onCancel={() => select(null)}
          />
        </div>
      )}
      {queue && (
        <div className="admin-detail-inner">
          <div className="detail-head">
            <h2 className="detail-title">{queue.name}</h2>
            {canEdit && (
              <ConfirmButton
                label={s('deleteQueue')}
                confirm={s('confirmDeleteQueue', { name: queue.name })}
                disabled={removal.busy}
                onConfirm={() => void remove(queue)}
              />
            )}
          </div>
          <ErrorBanner error={removal.error} />
          <Notice text={notice} />
          <QueueForm
            key={queue.id}
            admin={admin}
            queue={queue}
            queues={list}
            knownSkills={knownSkills}
            canEdit={canEdit}
            onSaved={(q) => queues.set((all) => upsert(all, q))}
          />
          <section className="admin-card" aria-labelledby="queue-members-title">
            <h3 id="queue-members-title">{s('members')}</h3>
            {users.error && <ErrorBanner error={users.error} />}
            {users.data && (
              <QueueMembersForm
                key={queue.id}
                admin={admin}
                queue={queue}
                users={users.data}
                canEdit={canEdit}
                onSaved={(q) => queues.set((all) => upsert(all, q))}
              />
            )}
          </section>
        </div>
      )}
      {selected === null && !notice && list.length > 0 && <p className="detail-empty muted">{s('selectQueue')}</p>}
    </SectionLayout>
  );
}

function QueueSummary({ queue }: { queue: Queue }) {
  const s = useStrings(ADMIN_STRINGS);
  const { t } = useI18n();
  const channels =
    queue.channels.length === CHANNEL_KINDS.length ? s('allChannels') : queue.channels.map((c) => t(`channel_${c}`)).join(', ');
  return (
    <>
      <span className="item-line muted">{channels}</span>
      <span className="item-chips">
        <span className="chip">{s(`strategy_${queue.strategy}`)}</span>
        <span className="chip">
          {queue.memberIds.length === 1 ? s('memberCountOne') : s('memberCount', { n: String(queue.memberIds.length) })}
        </span>
        <span className="chip">{queue.businessHours ? queue.businessHours.timeZone : s('open247')}</span>
        {queue.sla && <span className="chip chip-accent">SLA</span>}
        {queue.requiredSkills.map((r) => (
          <span key={r.skill} className="chip chip-outline">
            {r.skill} ≥ {r.minLevel}
          </span>
        ))}
      </span>
    </>
  );
}
