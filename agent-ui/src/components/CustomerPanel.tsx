// The right column: who the agent is talking to. The open conversation's customer, or the customer
// of a conversation being offered (screen pop), or one found by search. Profile (editable by role),
// a quick "who is this?" for unknown customers, and the whole history. Below 1100 px wide it folds
// into a rail that opens as a drawer.
import { useEffect, useId, useRef, useState } from 'react';
import type { User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import type { AgentSocket } from '../socket';
import { displayName } from '../hooks/useCustomers';
import type { CustomerProfile } from '../customer/customer-api';
import { CustomerHistory } from '../customer/CustomerHistory';
import { IdentifyCustomer } from '../customer/IdentifyCustomer';
import { isUnknown } from '../customer/profile';
import { ProfileEditor } from '../customer/ProfileEditor';
import { ProfileFacts } from '../customer/ProfileFacts';
import { CUSTOMER_STRINGS } from '../customer/strings';
import { TierBadges } from '../customer/TierBadges';
import { useCustomerProfile } from '../customer/useCustomerProfile';
import { Avatar } from './Avatar';
import { CustomerCsat } from '../crm/OutboundMarks';
import { CustomerValue } from '../crm/CustomerValue';
import '../customer/customer.css';

/** Why the panel shows this customer. */
export type PanelReason = 'open' | 'screenPop' | 'pinned';

interface Props {
  api: Api;
  socket: AgentSocket | null;
  reconnects: number;
  me: User;
  customerId: string | null;
  reason: PanelReason;
  openConversationId: string | null;
  onOpenConversation: (conversationId: string) => void;
  /** Show another customer (a possible match of an unknown one). */
  onViewCustomer: (customerId: string) => void;
  /** Back from a pinned customer to the open conversation's. */
  onBack: () => void;
  /** The customer as loaded or saved (names elsewhere follow edits). */
  onCustomer: (customer: CustomerProfile) => void;
  /** The shown customer was linked (merged) into another profile, here or by someone else. */
  onMerged: (fromId: string, toId: string) => void;
}

export function CustomerPanel(props: Props) {
  const { api, socket, reconnects, me, customerId, reason } = props;
  const { t, time } = useI18n();
  const s = useStrings(CUSTOMER_STRINGS);
  const bodyId = useId();
  const merged = (toId: string) => customerId && props.onMerged(customerId, toId);
  const profile = useCustomerProfile(api, socket, customerId, reconnects, merged);
  const [drawer, setDrawer] = useState(false);
  const [editing, setEditing] = useState(false);
  const rail = useRef<HTMLButtonElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const reported = useRef(props.onCustomer);
  reported.current = props.onCustomer;

  useEffect(() => setEditing(false), [customerId]);
  // A screen pop opens the drawer on narrow screens: the agent sees who it is before accepting.
  useEffect(() => {
    if (reason === 'screenPop') setDrawer(true);
  }, [reason, customerId]);
  useEffect(() => {
    if (profile.customer) reported.current(profile.customer);
  }, [profile.customer]);

  const customer = profile.customer;
  const name = customer ? displayName(customer, customer.id, t('visitor')) : '';
  const mayRank = me.role !== 'agent';
  const closeDrawer = () => {
    setDrawer(false);
    rail.current?.focus();
  };

  return (
    <aside
      className={`customer-column customer-panel${drawer ? ' is-open' : ''}`}
      aria-label={t('customer')}
      data-reason={reason}
      data-customer-id={customerId ?? undefined}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && drawer) closeDrawer();
      }}
    >
      <button
        ref={rail}
        type="button"
        className="panel-rail"
        aria-expanded={drawer}
        aria-controls={bodyId}
        aria-label={customer ? s('showCustomer', { name }) : t('customer')}
        onClick={() => setDrawer((d) => !d)}
      >
        <Avatar name={name || '?'} size="small" />
        <span className="panel-rail-label">{t('customer')}</span>
      </button>
      <div id={bodyId} className="panel-body">
        <div className="panel-drawer-head">
          <button type="button" className="btn btn-small btn-quiet" onClick={closeDrawer}>
            × {s('closePanel')}
          </button>
        </div>
        {reason !== 'open' && customerId && (
          <div className={`panel-reason panel-reason-${reason}`}>
            <span>{reason === 'screenPop' ? s('screenPop') : s('pinned')}</span>
            {reason === 'pinned' && (
              <button type="button" className="link-button" onClick={props.onBack}>
                {s('backToOpen')}
              </button>
            )}
          </div>
        )}
        {!customerId ? (
          <p className="panel-empty muted">{s('panelEmpty')}</p>
        ) : profile.error && !customer ? (
          <p className="banner banner-error panel-empty" role="alert">
            {s('profileFailed', { error: profile.error })}
          </p>
        ) : !customer ? (
          <p className="panel-empty muted" aria-busy="true">
            {s('loadingProfile')}
          </p>
        ) : (
          <>
            <div className="profile-head">
              <Avatar name={name} size="large" />
              <div className="profile-head-text">
                <h2 className="customer-name">{name}</h2>
                <TierBadges customer={customer} />
                {customer.lastContactAt && (
                  <p className="muted">
                    {t('lastContact')}: {time(customer.lastContactAt)}
                  </p>
                )}
              </div>
              {!editing && (
                <button
                  ref={editButton}
                  type="button"
                  className="btn btn-small customer-edit"
                  aria-label={s('editProfile', { name })}
                  onClick={() => setEditing(true)}
                >
                  {s('edit')}
                </button>
              )}
            </div>
            {editing ? (
              <div className="panel-section">
                <ProfileEditor
                  customer={customer}
                  mayRank={mayRank}
                  onSave={profile.save}
                  onDone={() => {
                    setEditing(false);
                    // Back to where the edit began (the button is rendered again on the next frame).
                    requestAnimationFrame(() => editButton.current?.focus());
                  }}
                />
              </div>
            ) : (
              <>
                {isUnknown(customer) && (
                  <IdentifyCustomer
                    api={api}
                    customerId={customer.id}
                    onSave={profile.save}
                    onView={props.onViewCustomer}
                    onChanged={profile.reload}
                    onLinked={merged}
                  />
                )}
                <ProfileFacts api={api} customer={customer} mayRemoveIdentity={mayRank} onChanged={profile.reload} onLinked={merged} />
              </>
            )}
            <CustomerCsat api={api} customerId={customer.id} version={customer} />
            <CustomerValue
              api={api}
              customerId={customer.id}
              version={customer}
              onUseComputed={mayRank ? () => profile.save({ valueTier: null, vip: null }) : undefined}
            />
            <CustomerHistory
              api={api}
              conversations={profile.conversations}
              openId={props.openConversationId}
              onOpen={props.onOpenConversation}
            />
          </>
        )}
      </div>
    </aside>
  );
}
