// Users and roles: the list with a filter, a new user, and the selected user's account, password and routing.
import { useMemo, useState } from 'react';
import type { User } from '../../../server/domain/types.js';
import { Avatar } from '../components/Avatar';
import { useStrings } from '../i18n';
import { upsert, type AdminApi } from './admin-api';
import { ErrorBanner, Notice } from './form-kit';
import { RoutingProfileCard } from './RoutingProfileForm';
import { ListItem, SectionLayout } from './SectionLayout';
import { ADMIN_STRINGS } from './strings';
import { EditUserForm, NewUserForm, PasswordForm } from './UserForms';
import { useLoaded } from './useLoaded';

interface Props {
  admin: AdminApi;
  me: User;
  canEdit: boolean;
}

export function UsersSection({ admin, me, canEdit }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const users = useLoaded(async () => (await admin.users()).users);
  const queues = useLoaded(async () => (await admin.queues()).queues);
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const [filter, setFilter] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const all = users.data ?? [];
  const user = all.find((u) => u.id === selected) ?? null;
  const needle = filter.trim().toLowerCase();
  const shown = needle ? all.filter((u) => `${u.name} ${u.email}`.toLowerCase().includes(needle)) : all;
  const knownSkills = useMemo(
    () => [...new Set((queues.data ?? []).flatMap((q) => q.requiredSkills.map((r) => r.skill)))].sort(),
    [queues.data],
  );

  const select = (id: string | 'new' | null) => {
    setSelected(id);
    setNotice(null);
  };

  return (
    <SectionLayout
      title={s('users')}
      loading={users.data === null && !users.error}
      error={users.error}
      newLabel={canEdit ? s('newUser') : null}
      onNew={() => select('new')}
      tools={
        <div className="admin-search">
          <input
            type="search"
            aria-label={s('searchUsers')}
            placeholder={s('searchUsers')}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
      }
      list={shown.map((u) => (
        <ListItem key={u.id} selected={u.id === selected} onSelect={() => select(u.id)} title={u.name}>
          <span className="item-line muted">{u.email}</span>
          <span className="item-chips">
            <span className={`chip chip-role-${u.role}`}>{s(`role_${u.role}`)}</span>
            {!u.active && <span className="chip chip-warn">{s('inactive')}</span>}
          </span>
        </ListItem>
      ))}
      empty={needle ? s('noMatches') : s('noUsers')}
    >
      {selected === 'new' && (
        <div className="admin-detail-inner narrow">
          <h2 className="detail-title">{s('newUser')}</h2>
          <section className="admin-card">
            <NewUserForm
              admin={admin}
              onCreated={(u) => {
                users.set((list) => upsert(list, u));
                setSelected(u.id);
                setNotice(s('userCreated', { name: u.name }));
              }}
              onCancel={() => select(null)}
            />
          </section>
        </div>
      )}
      {user && (
        <div className="admin-detail-inner narrow" key={user.id}>
          <div className="detail-head">
            <Avatar name={user.name} />
            <div>
              <h2 className="detail-title">{user.name}</h2>
              <p className="muted">{user.email}</p>
            </div>
          </div>
          <Notice text={notice} />
          <section className="admin-card" aria-labelledby="user-account-title">
            <h3 id="user-account-title">{s('account')}</h3>
            <EditUserForm admin={admin} user={user} me={me} canEdit={canEdit} onSaved={(u) => users.set((list) => upsert(list, u))} />
          </section>
          {canEdit && user.id !== me.id && (
            <section className="admin-card" aria-labelledby="user-password-title">
              <h3 id="user-password-title">{s('resetPassword')}</h3>
              <PasswordForm admin={admin} user={user} />
            </section>
          )}
          <section className="admin-card" aria-labelledby="user-routing-title">
            <h3 id="user-routing-title">{s('routing')}</h3>
            <ErrorBanner error={queues.error} />
            {queues.data && (
              <RoutingProfileCard admin={admin} user={user} queues={queues.data} knownSkills={knownSkills} canEdit={canEdit} />
            )}
          </section>
        </div>
      )}
      {selected === null && all.length > 0 && <p className="detail-empty muted">{s('selectUser')}</p>}
    </SectionLayout>
  );
}
