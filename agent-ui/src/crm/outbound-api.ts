// Campaign and CSAT calls, typed, on top of Api.json. Shapes follow server/http/routes/campaigns.route.ts
// and csat.route.ts.
import type { Campaign, CampaignAction, NewCampaign, SkipReason } from '../../../server/domain/crm/campaign.js';
import type { CsatSettings, CsatSurvey } from '../../../server/domain/crm/csat.js';
import type { Api } from '../api';

export interface CampaignStats {
  targeted: number;
  pending: number;
  sent: number;
  skipped: Partial<Record<SkipReason, number>>;
  failed: number;
  delivered: number;
  replied: number;
}
export type CampaignView = Campaign & { stats: CampaignStats };

export interface Recipient {
  id: string;
  customerId: string;
  customerName: string | null;
  status: 'pending' | 'sent' | 'skipped';
  skipReason: SkipReason | null;
  sentAt: number | null;
  conversationId: string | null;
}

export interface CsatSummary {
  count: number;
  average: number | null;
}

const at = (id: string) => encodeURIComponent(id);

export const outboundApi = (api: Api) => ({
  campaigns: () => api.json<{ campaigns: CampaignView[]; placeholders: string[] }>('GET', '/campaigns'),
  createCampaign: (body: NewCampaign) => api.json<{ campaign: CampaignView }>('POST', '/campaigns', body),
  updateCampaign: (id: string, patch: Partial<NewCampaign>) => api.json<{ campaign: CampaignView }>('PATCH', `/campaigns/${at(id)}`, patch),
  act: (id: string, action: CampaignAction) => api.json<{ campaign: CampaignView }>('POST', `/campaigns/${at(id)}/${action}`),
  preview: (body: { template: string; subject?: string | null; channelAccountId: string; segmentId: string | null }) =>
    api.json<{ text: string | null; subject: string | null; customer: { id: string; name: string | null } | null; audience: number }>(
      'POST',
      '/campaigns/preview',
      body,
    ),
  recipients: (id: string) => api.json<{ recipients: Recipient[] }>('GET', `/campaigns/${at(id)}/recipients?limit=200`),
  /** Saved segments (the CRM's segment screens); none when that part is not there. */
  segments: () => api.json<{ segments: { id: string; name: string }[] }>('GET', '/segments').catch(() => ({ segments: [] })),

  csatSettings: () => api.json<{ settings: CsatSettings[] }>('GET', '/csat/settings'),
  putCsatSettings: (accountId: string, body: Pick<CsatSettings, 'enabled' | 'replyWindowHours' | 'questions'>) =>
    api.json<{ settings: CsatSettings }>('PUT', `/csat/settings/${at(accountId)}`, body),
  csatByAgent: () => api.json<{ agents: (CsatSummary & { agentId: string; name: string | null })[] }>('GET', '/csat/agents'),
  customerCsat: (customerId: string) =>
    api.json<{ csat: CsatSummary & { recent: (CsatSurvey & { customerId: string })[] } }>('GET', `/customers/${at(customerId)}/csat`),
});

export type OutboundApi = ReturnType<typeof outboundApi>;
