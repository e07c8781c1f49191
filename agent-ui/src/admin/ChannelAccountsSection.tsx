// Channel accounts: the list, a new account, and the selected one's URLs, settings and deletion; for
// an email account also the mail that could not be imported.
import { useEffect, useState } from 'react';
import type { ChannelAccount, ChannelKind } from '../../../server/domain/types.js';
import { useI18n, useStrings } from '../i18n';
import { upsert, type AccountUrls as Urls, type AdminApi } from './admin-api';
import { AccountUrls } from './AccountUrls';
import { EditChannelAccountForm, NewChannelAccountForm } from './ChannelAccountForms';
import { EmailImports } from './EmailImports';
import { ConfirmButton, ErrorBanner, Notice, useSubmit } from './form-kit';
import { ListItem, SectionLayout } from './SectionLayout';
import { ADMIN_STRINGS } from './strings';
import { useLoaded } from './useLoaded';

interface Props {
  admin: AdminApi;
  canEdit: boolean;
}

/** The address customers reach: an email account's support address, an SMS or voice account's number. */
const supportAddressOf = (a: ChannelAccount) => {
  const address = a.kind === 'email' ? a.settings.fromAddress : a.kind === 'sms' || a.kind === 'voice' ? a.settings.phoneNumber : null;
  return typeof address === 'string' ? address : null;
};

const CONNECT_HINT: Partial<
  Record<
    ChannelKind,
    | 'connectUrlsHintWidget'
    | 'connectUrlsHintEmail'
    | 'connectUrlsHintSms'
    | 'connectUrlsHintLine'
    | 'connectUrlsHintMessenger'
    | 'connectUrlsHintVoice'
    | 'connectUrlsHintSlack'
  >
> = {
  web_chat: 'connectUrlsHintWidget',
  email: 'connectUrlsHintEmail',
  sms: 'connectUrlsHintSms',
  line: 'connectUrlsHintLine',
  messenger: 'connectUrlsHintMessenger',
  voice: 'connectUrlsHintVoice',
  slack: 'connectUrlsHintSlack',
};

const CREATED_NOTICE: Partial<
  Record<
    ChannelKind,
    | 'accountCreatedEmail'
    | 'accountCreatedSms'
    | 'accountCreatedLine'
    | 'accountCreatedMessenger'
    | 'accountCreatedVoice'
    | 'accountCreatedSlack'
  >
> = {
  email: 'accountCreatedEmail',
  sms: 'accountCreatedSms',
  line: 'accountCreatedLine',
  messenger: 'accountCreatedMessenger',
  voice: 'accountCreatedVoice',
  slack: 'accountCreatedSlack',
};

export function ChannelAccountsSection({ admin, canEdit }: Props) {
  const s = useStrings(ADMIN_STRINGS);
  const { t } = useI18n();
  const accounts = useLoaded(async () => (await admin.accounts()).accounts);
  const queues = useLoaded(async () => (await admin.queues()).queues);
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const [urls, setUrls] = useState<Record<string, Urls>>({});
  const [urlsError, setUrlsError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const removal = useSubmit();
  const list = accounts.data ?? [];
  const account = list.find((a) => a.id === selected) ?? null;
  const queueName = (id: string | null) => (id ? (queues.data?.find((q) => q.id === id)?.name ?? id) : s('noQueueShort'));

  // The URLs come with each account read; an account just created already brought its own.
  const needsUrls = account !== null && !(account.id in urls);
  useEffect(() => {
    if (!needsUrls || !account) return;
    let live = true;
    setUrlsError(null);
    admin.account(account.id).then(
      (r) => live && setUrls((all) => ({ ...all, [r.account.id]: r.urls })),
      (err: unknown) => live && setUrlsError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [admin, account, needsUrls]);

  const select = (id: string | 'new' | null) => {
    setSelected(id);
    setNotice(null);
    removal.reset();
  };
  const stored = (a: ChannelAccount, u: Urls) => {
    accounts.set((all) => upsert(all, a));
    setUrls((all) => ({ ...all, [a.id]: u }));
  };
  const remove = async (a: ChannelAccount) => {
    const done = await removal.run(async () => {
      await admin.deleteAccount(a.id);
      return true;
    });
    if (!done) return;
    accounts.set((all) => all.filter((x) => x.id !== a.id));
    select(null);
    setNotice(s('accountDeleted', { name: a.name }));
  };

  return (
    <SectionLayout
      title={s('channelAccounts')}
      loading={accounts.data === null && !accounts.error}
      error={accounts.error}
      newLabel={canEdit ? s('addAccount') : null}
      onNew={() => select('new')}
      list={list.map((a) => (
        <ListItem key={a.id} selected={a.id === selected} onSelect={() => select(a.id)} title={a.name}>
          {supportAddressOf(a) && <span className="item-line">{supportAddressOf(a)}</span>}
          <span className="item-line muted">
            {s('feedsQueueShort')}: {queueName(a.queueId)}
          </span>
          <span className="item-chips">
            <span className="chip">{t(`channel_${a.kind}`)}</span>
            {!a.active && <span className="chip chip-warn">{s('inactive')}</span>}
          </span>
        </ListItem>
      ))}
      empty={s('noAccounts')}
    >
      {selected === null && notice && <Notice text={notice} />}
      {selected === 'new' && queues.data && (
        <div className="admin-detail-inner narrow">
          <h2 className="detail-title">{s('newAccount')}</h2>
          <section className="admin-card">
            <NewChannelAccountForm
              admin={admin}
              queues={queues.data}
              onCreated={(a, u) => {
                stored(a, u);
                setSelected(a.id);
                setNotice(s(CREATED_NOTICE[a.kind] ?? 'accountCreated', { name: a.name }));
              }}
              onCancel={() => select(null)}
            />
          </section>
        </div>
      )}
      {account && (
        <div className="admin-detail-inner narrow" key={account.id}>
          <div className="detail-head">
            <div>
              <h2 className="detail-title">{account.name}</h2>
              <p className="muted">{t(`channel_${account.kind}`)}</p>
            </div>
            {canEdit && (
              <ConfirmButton
                label={s('deleteAccount')}
                confirm={s('confirmDeleteAccount', { name: account.name })}
                disabled={removal.busy}
                onConfirm={() => void remove(account)}
              />
            )}
          </div>
          <ErrorBanner error={removal.error} />
          <Notice text={notice} />
          <section className="admin-card" aria-labelledby="account-urls-title">
            <h3 id="account-urls-title">{s('connectUrls')}</h3>
            <p className="field-hint">{s(CONNECT_HINT[account.kind] ?? 'connectUrlsHint')}</p>
            <ErrorBanner error={urlsError} />
            {urls[account.id] ? (
              <AccountUrls urls={urls[account.id]!} kind={account.kind} />
            ) : (
              !urlsError && <p className="muted">{s('loading')}</p>
            )}
          </section>
          <section className="admin-card" aria-labelledby="account-settings-title">
            <h3 id="account-settings-title">{s('accountSettings')}</h3>
            {queues.data && (
              <EditChannelAccountForm admin={admin} account={account} queues={queues.data} canEdit={canEdit} onSaved={stored} />
            )}
          </section>
          {account.kind === 'email' && canEdit && (
            <section className="admin-card" aria-labelledby="email-imports-title">
              <h3 id="email-imports-title">{s('emailImports')}</h3>
              <EmailImports admin={admin} accountId={account.id} />
            </section>
          )}
        </div>
      )}
      {selected === null && !notice && list.length > 0 && <p className="detail-empty muted">{s('selectAccount')}</p>}
    </SectionLayout>
  );
}
