// Campaigns: the list with each one's state and progress; the selected one's numbers (targeted, sent,
// skipped by reason, failed, delivered, replied), its actions (schedule, pause, resume, end), its
// settings and its recipients. Admins change them; supervisors read. Numbers refresh while it sends.
import { useEffect, useMemo, useState } from 'react';
import type { ChannelAccount } from '../../../server/domain/types.js';
import { isCampaignChannel, type CampaignAction, type CampaignStatus } from '../../../server/domain/crm/campaign.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import { OUTBOUND_STRINGS } from '../crm/outbound-strings';
import { outboundApi, type CampaignView, type Recipient } from '../crm/outbound-api';
import { adminApi, upsert } from './admin-api';
import { CampaignForm } from './CampaignForm';
import { ConfirmButton, ErrorBanner, Notice, useSubmit } from './form-kit';
import { ListItem, SectionLayout } from './SectionLayout';
import { useLoaded } from './useLoaded';
import '../crm/outbound.css';

const ACTIONS: Record<CampaignStatus, CampaignAction[]> = {
  draft: ['schedule'],
  scheduled: ['pause', 'end'],
  running: ['pause', 'end'],
  paused: ['resume', 'end'],
  done: [],
};
const REFRESH_MS = 3_000;

export function CampaignsSection({ api, canEdit }: { api: Api; canEdit: boolean }) {
  const s = useStrings(OUTBOUND_STRINGS);
  const outbound = useMemo(() => outboundApi(api), [api]);
  const admin = useMemo(() => adminApi(api), [api]);
  const loaded = useLoaded(async () => {
    const [campaigns, accounts, segments] = await Promise.all([outbound.campaigns(), admin.accounts(), outbound.segments()]);
    return {
      items: campaigns.campaigns,
      placeholders: campaigns.placeholders,
      accounts: accounts.accounts.filter((a) => isCampaignChannel(a.kind)),
      segments: segments.segments,
    };
  });
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = loaded.data?.items ?? [];
  const item = items.find((c) => c.id === selected) ?? null;
  const sending = items.some((c) => c.status === 'running' || c.status === 'scheduled');

  // While something sends, its numbers move: read them again every few seconds.
  useEffect(() => {
    if (!sending) return;
    const timer = setInterval(() => {
      outbound.campaigns().then(
        (r) => loaded.set((d) => ({ ...d, items: r.campaigns })),
        () => undefined,
      );
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [sending, outbound]);

  const select = (id: string | 'new' | null) => {
    setSelected(id);
    setNotice(null);
  };
  const saved = (c: CampaignView, message: string) => {
    loaded.set((d) => ({ ...d, items: upsert(d.items, c) }));
    setSelected(c.id);
    setNotice(message);
  };

  return (
    <SectionLayout
      title={s('campaigns')}
      loading={loaded.data === null && !loaded.error}
      error={loaded.error}
      newLabel={canEdit ? s('newCampaign') : null}
      onNew={() => select('new')}
      list={items.map((c) => (
        <ListItem key={c.id} selected={c.id === selected} onSelect={() => select(c.id)} title={c.name}>
          <span className="item-line">
            <StatusChip status={c.status} />
            <span className="muted">
              {c.stats.sent}/{c.stats.targeted}
            </span>
          </span>
          <span className="item-line muted">{s(`trigger_${c.trigger.kind}`)}</span>
        </ListItem>
      ))}
      empty={s('noCampaigns')}
    >
      {selected === null && notice && <Notice text={notice} />}
      {selected === null && !notice && items.length > 0 && <p className="detail-empty muted">{s('selectCampaign')}</p>}
      {selected === null && items.length === 0 && loaded.data && <p className="detail-empty muted">{s('noCampaigns')}</p>}
      {selected === 'new' && loaded.data && (
        <div className="admin-detail-inner">
          <h2 className="detail-title">{s('newCampaign')}</h2>
          <CampaignForm
            key="new"
            outbound={outbound}
            item={null}
            accounts={loaded.data.accounts}
            segments={loaded.data.segments}
            placeholders={loaded.data.placeholders}
            canEdit={canEdit}
            onSaved={(c) => saved(c, s('campaignCreated', { name: c.name }))}
            onCancel={() => select(null)}
          />
        </div>
      )}
      {item && loaded.data && (
        <CampaignDetail
          key={item.id}
          item={item}
          outbound={outbound}
          accounts={loaded.data.accounts}
          segments={loaded.data.segments}
          placeholders={loaded.data.placeholders}
          canEdit={canEdit}
          notice={notice}
          onChanged={(c, message) => saved(c, message)}
        />
      )}
    </SectionLayout>
  );
}

function StatusChip({ status }: { status: CampaignStatus }) {
  const s = useStrings(OUTBOUND_STRINGS);
  return (
    <span className={`chip campaign-status campaign-status-${status}`} data-campaign-status={status}>
      {s(`status_${status}`)}
    </span>
  );
}

interface DetailProps {
  item: CampaignView;
  outbound: ReturnType<typeof outboundApi>;
  accounts: ChannelAccount[];
  segments: { id: string; name: string }[];
  placeholders: string[];
  canEdit: boolean;
  notice: string | null;
  onChanged: (c: CampaignView, message: string) => void;
}

function CampaignDetail({ item, outbound, accounts, segments, placeholders, canEdit, notice, onChanged }: DetailProps) {
  const s = useStrings(OUTBOUND_STRINGS);
  const { time } = useI18n();
  const action = useSubmit();
  const act = async (a: CampaignAction) => {
    const result = await action.run(() => outbound.act(item.id, a));
    if (result) onChanged(result.campaign, s(`actionDone_${a}`));
  };
  return (
    <div className="admin-detail-inner campaign-detail">
      <div className="detail-head">
        <div>
          <h2 className="detail-title">{item.name}</h2>
          <p className="muted campaign-when">
            <StatusChip status={item.status} /> {s('ratePerMinute', { n: String(item.ratePerMinute) })}
            {item.startedAt && ` · ${s('startedAt', { time: time(item.startedAt) })}`}
            {item.finishedAt && ` · ${s('finishedAt', { time: time(item.finishedAt) })}`}
          </p>
        </div>
        {canEdit && (
          <div className="form-buttons" role="group" aria-label={s('campaigns')}>
            {ACTIONS[item.status].map((a) =>
              a === 'end' ? (
                <ConfirmButton
                  key={a}
                  label={s('action_end')}
                  confirm={s('confirmEnd', { name: item.name })}
                  disabled={action.busy}
                  onConfirm={() => void act(a)}
                />
              ) : (
                <button
                  key={a}
                  type="button"
                  className={a === 'pause' ? 'btn' : 'btn btn-primary'}
                  disabled={action.busy}
                  onClick={() => void act(a)}
                >
                  {s(`action_${a}`)}
                </button>
              ),
            )}
          </div>
        )}
      </div>
      <ErrorBanner error={action.error} />
      <Notice text={notice} />
      <CampaignStatsView item={item} />
      <CampaignForm
        outbound={outbound}
        item={item}
        accounts={accounts}
        segments={segments}
        placeholders={placeholders}
        canEdit={canEdit}
        onSaved={(c) => onChanged(c, s('campaignSaved'))}
      />
      <RecipientList outbound={outbound} campaignId={item.id} version={item.stats.sent + item.stats.pending * 1e6} />
    </div>
  );
}

function CampaignStatsView({ item }: { item: CampaignView }) {
  const s = useStrings(OUTBOUND_STRINGS);
  const st = item.stats;
  const skipped = Object.entries(st.skipped).filter(([, n]) => n && n > 0);
  const total = skipped.reduce((sum, [, n]) => sum + (n ?? 0), 0);
  const cells = [
    ['targeted', st.targeted],
    ['sent', st.sent],
    ['pending', st.pending],
    ['skipped', total],
    ['failed', st.failed],
    ['delivered', st.delivered],
    ['replied', st.replied],
  ] as const;
  return (
    <section className="admin-card campaign-stats" aria-label={s('stats')}>
      <h3>{s('stats')}</h3>
      <dl className="stat-grid">
        {cells.map(([key, n]) => (
          <div key={key} className={`stat stat-${key}`} data-stat={key}>
            <dt>{s(`stat_${key}`)}</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
      {skipped.length > 0 && (
        <ul className="skip-reasons" aria-label={s('stat_skipped')}>
          {skipped.map(([reason, n]) => (
            <li key={reason} data-reason={reason}>
              <span>{s(`skip_${reason}` as 'skip_no_consent')}</span> <strong>{n}</strong>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RecipientList({
  outbound,
  campaignId,
  version,
}: {
  outbound: ReturnType<typeof outboundApi>;
  campaignId: string;
  version: number;
}) {
  const s = useStrings(OUTBOUND_STRINGS);
  const { time } = useI18n();
  const [rows, setRows] = useState<Recipient[] | null>(null);
  useEffect(() => {
    let live = true;
    outbound.recipients(campaignId).then(
      (r) => live && setRows(r.recipients),
      () => live && setRows([]),
    );
    return () => {
      live = false;
    };
  }, [outbound, campaignId, version]);
  return (
    <section className="admin-card" aria-label={s('recipients')}>
      <h3>{s('recipients')}</h3>
      {rows && rows.length === 0 && <p className="muted">{s('recipientsEmpty')}</p>}
      {rows && rows.length > 0 && (
        <table className="recipient-table">
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-recipient-status={r.status}>
                <td>{r.customerName ?? r.customerId.slice(0, 8)}</td>
                <td>
                  <span className={`chip recipient-${r.status}`}>{s(`recipient_${r.status}`)}</span>
                </td>
                <td className="muted">
                  {r.status === 'skipped' && r.skipReason ? s(`skip_${r.skipReason}`) : r.sentAt ? time(r.sentAt) : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
