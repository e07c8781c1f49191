// The channel account a provider's webhook names, with its opened credentials, so the HTTP layer can
// check the request's signature before it acts on anything. Unknown, inactive or of another kind:
// undefined, and the caller answers as it would for a URL that does not exist.
import type { ChannelAccount, ChannelKind } from '../domain/types.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Deps } from './deps.js';

export interface WebhookAccount {
  account: ChannelAccount;
  /** Opened credentials; never log them. Empty when the account has none. */
  credentials: Record<string, unknown>;
}

export type FindWebhookAccount = (accountId: string, kind: ChannelKind) => Promise<WebhookAccount | undefined>;

export function makeFindWebhookAccount(deps: Pick<Deps, 'store'> & { secrets: SecretBox }): FindWebhookAccount {
  return async (accountId, kind) => {
    // Ids are ours (uuid v7); anything else cannot name an account, and need not reach the database.
    if (!/^[\w-]{1,64}$/.test(accountId)) return undefined;
    const account = await deps.store.channelAccounts.findById(accountId);
    if (!account || account.kind !== kind || !account.active) return undefined;
    const sealed = await deps.store.channelAccounts.sealedCredentials(account.id);
    return { account, credentials: sealed ? deps.secrets.open<Record<string, unknown>>(sealed) : {} };
  };
}
