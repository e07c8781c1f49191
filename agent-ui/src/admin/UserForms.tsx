// Creating a console user, changing their name, role, access or phone for calls, and setting a new password.
import { useState, type FormEvent } from 'react';
import { ROLES, type Role, type User } from '../../../server/domain/types.js';
import { useStrings } from '../i18n';
import type { AdminApi } from './admin-api';
import { ErrorBanner, FormActions, Field, Notice, useSubmit } from './form-kit';
import { ADMIN_STRINGS } from './strings';

function RoleSelect({ value, onChange, a11y, disabled }: { value: Role; onChange: (r: Role) => void; a11y: object; disabled?: boolean }) {
  const s = useStrings(ADMIN_STRINGS);
  return (
    <select {...a11y} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {s(`role_${r}`)}
        </option>
      ))}
    </select>
  );
}

export function NewUserForm({ admin, onCreated, onCancel }: { admin: AdminApi; onCreated: (u: User) => void; onCancel: () => void }) {
  const s = useStrings(ADMIN_STRINGS);
  const [form, setForm] = useState({ name: '', email: '', role: 'agent' as Role, password: '' });
  const submit = useSubmit();
  const f = submit.fieldError;
  const set = (patch: Partial<typeof form>) => setForm((v) => ({ ...v, ...patch }));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const created = await submit.run(() => admin.createUser({ ...form, email: form.email.trim() }));
    if (created) onCreated(created.user);
  };
  // A taken email is a conflict, not a schema error: it still belongs next to the email field.
  const emailError = f('email') ?? (submit.code === 'CONFLICT' ? (submit.error ?? undefined) : undefined);
  return (
    <form className="admin-form" onSubmit={save} noValidate aria-label={s('newUser')}>
      <div className="form-body">
        <Field label={s('fullName')} error={f('name')}>
          {(a11y) => <input {...a11y} autoComplete="off" value={form.name} onChange={(e) => set({ name: e.target.value })} />}
        </Field>
        <Field label={s('email')} error={emailError}>
          {(a11y) => (
            <input {...a11y} type="email" autoComplete="off" value={form.email} onChange={(e) => set({ email: e.target.value })} />
          )}
        </Field>
        <Field label={s('role')} error={f('role')} hint={s(`roleHint_${form.role}`)}>
          {(a11y) => <RoleSelect a11y={a11y} value={form.role} onChange={(role) => set({ role })} />}
        </Field>
        <Field label={s('initialPassword')} error={f('password')} hint={s('passwordHint')}>
          {(a11y) => (
            <input
              {...a11y}
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => set({ password: e.target.value })}
            />
          )}
        </Field>
      </div>
      <FormActions submit={submit} label={s('createUser')} onCancel={onCancel} />
    </form>
  );
}

interface EditProps {
  admin: AdminApi;
  user: User;
  me: User;
  canEdit: boolean;
  onSaved: (u: User) => void;
}

export function EditUserForm({ admin, user, me, canEdit, onSaved }: EditProps) {
  const s = useStrings(ADMIN_STRINGS);
  const [form, setForm] = useState({ name: user.name, role: user.role, active: user.active, phone: user.phone ?? '' });
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();
  const f = submit.fieldError;
  const self = user.id === me.id;
  const set = (patch: Partial<typeof form>) => {
    setSaved(false);
    setForm((v) => ({ ...v, ...patch }));
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const patch = {
      ...(form.name !== user.name && { name: form.name }),
      ...(form.role !== user.role && { role: form.role }),
      ...(form.active !== user.active && { active: form.active }),
      // The API keeps E.164 (a Thai local number gains +66); an empty field clears it.
      ...(form.phone.trim() !== (user.phone ?? '') && { phone: form.phone.trim() || null }),
    };
    if (Object.keys(patch).length === 0) {
      setSaved(true);
      return;
    }
    const result = await submit.run(() => admin.updateUser(user.id, patch));
    if (result) {
      setSaved(true);
      setForm((v) => ({ ...v, phone: result.user.phone ?? '' }));
      onSaved(result.user);
    }
  };
  return (
    <form className="admin-form" onSubmit={save} noValidate aria-label={s('account')}>
      <fieldset className="form-body" disabled={!canEdit}>
        <Field label={s('fullName')} error={f('name')}>
          {(a11y) => <input {...a11y} value={form.name} onChange={(e) => set({ name: e.target.value })} />}
        </Field>
        <Field label={s('role')} error={f('role')} hint={self ? s('selfRoleHint') : s(`roleHint_${form.role}`)}>
          {(a11y) => <RoleSelect a11y={a11y} value={form.role} disabled={self} onChange={(role) => set({ role })} />}
        </Field>
        <Field label={s('phoneForCalls')} error={f('phone')} hint={s('phoneForCallsHint')}>
          {(a11y) => (
            <input
              {...a11y}
              type="tel"
              autoComplete="off"
              placeholder="+66…"
              value={form.phone}
              onChange={(e) => set({ phone: e.target.value })}
            />
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={form.active} disabled={self} onChange={(e) => set({ active: e.target.checked })} />
          {s('activeUser')}
        </label>
        {user.active && !form.active && <p className="field-hint">{s('deactivateHint')}</p>}
      </fieldset>
      {canEdit && <FormActions submit={submit} label={s('saveChanges')} saved={saved ? s('userSaved') : null} />}
    </form>
  );
}

export function PasswordForm({ admin, user }: { admin: AdminApi; user: User }) {
  const s = useStrings(ADMIN_STRINGS);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const submit = useSubmit();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (await submit.run(() => admin.updateUser(user.id, { password }))) {
      setPassword('');
      setDone(true);
    }
  };
  return (
    <form className="admin-form" onSubmit={save} noValidate aria-label={s('resetPassword')}>
      <div className="form-body">
        <Field label={s('newPassword')} error={submit.fieldError('password')} hint={s('resetPasswordHint')}>
          {(a11y) => (
            <input
              {...a11y}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => {
                setDone(false);
                setPassword(e.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <div className="form-actions inline">
        <ErrorBanner error={submit.error} />
        <Notice text={done ? s('passwordSet') : null} />
        <div className="form-buttons">
          <button type="submit" className="btn" disabled={submit.busy || password === ''}>
            {s('setPassword')}
          </button>
        </div>
      </div>
    </form>
  );
}
