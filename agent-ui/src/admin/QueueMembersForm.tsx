// Who works a queue: the whole member list is replaced in one request.
import { useState, type FormEvent } from 'react';
import type { User } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import type { AdminApi, Queue } from './admin-api';
import { FormActions, useSubmit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

interface Props {
  admin: AdminApi;
  queue: Queue;
  users: User[];
  canEdit: boolean;
  onSaved: (queue: Queue) => void;
}

export function QueueMembersForm({ admin, queue, users, canEdit, onSaved }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const [members, setMembers] = useState(() => new Set(queue.memberIds));
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();
  // Deactivated users who are still members stay listed, so saving does not drop them unseen.
  const shown = users.filter((u) => u.active || queue.memberIds.includes(u.id));

  const toggle = (id: string, on: boolean) => {
    setSaved(false);
    setMembers((m) => {
      const next = new Set(m);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const result = await submit.run(() => admin.setQueueMembers(queue.id, [...members]));
    if (result) {
      setSaved(true);
      onSaved(result.queue);
    }
  };

  return (
    <form className="admin-form" onSubmit={save} aria-label={s('membersOf', { name: queue.name })}>
      <fieldset className="form-body" disabled={!canEdit}>
        <legend className="visually-hidden">{s('membersOf', { name: queue.name })}</legend>
        {shown.length === 0 && <p className="muted">{s('noUsers')}</p>}
        <ul className="member-list">
          {shown.map((u) => (
            <li key={u.id}>
              <label className="check">
                <input type="checkbox" checked={members.has(u.id)} onChange={(e) => toggle(u.id, e.target.checked)} />
                <span>{u.name}</span>
                <span className="chip">{s(`role_${u.role}`)}</span>
                {!u.active && <span className="chip chip-warn">{s('inactive')}</span>}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {canEdit && <FormActions submit={submit} label={s('saveMembers')} saved={saved ? s('membersSaved') : null} />}
    </form>
  );
}
