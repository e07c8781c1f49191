// Builds and starts one Omnidesk node from a Config. main.ts and the tests both use it.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { migrate, openDatabase, type Database } from '../db/connection.js';
import { createStore, type Store } from '../db/store.js';
import { ChannelRegistry } from '../channels/registry.js';
import { createWebChatChannel } from '../channels/web-chat/web-chat.channel.js';
import type { Config } from './config.js';
import { EventBus } from './event-bus.js';
import { createApp } from './http/app.js';
import { OutboxWorker, DEFAULT_OUTBOX_OPTIONS, type OutboxOptions } from './outbox/outbox-worker.js';
import { Gateway } from './realtime/gateway.js';
import { queueStatsRoom } from './realtime/queue-stats-room.js';
import { isOpen } from './domain/routing/business-hours.js';
import { DEFAULT_ROUTING_OPTIONS, RoutingService, type RoutingOptions } from './routing/routing-service.js';
import { DEFAULT_FRONT_OPTIONS, RoutingFront, type RoutingFrontOptions, type RoutingLeader } from './routing/routing-front.js';
import { ClusterLink } from './cluster/redis-link.js';
import { postgresLeaderLock, soleLeaderLock } from '../db/leader-lock.js';
import { DEFAULT_STATS_OPTIONS, StatsPublisher, type StatsPublisherOptions } from './routing/stats-publisher.js';
import { SecretBox, resolveSecret } from './security/secret-box.js';
import { FileStorage } from './storage/file-storage.js';
import { makeAuth } from './usecases/authenticate.js';
import { makeAssignConversation } from './usecases/assign-conversation.js';
import { makeChangeConversationStatus } from './usecases/change-conversation-status.js';
import { makeTagConversation } from './usecases/tag-conversation.js';
import { makeUpdateCustomer } from './usecases/update-customer.js';
import { makeLinkCustomers } from './usecases/link-customers.js';
import { createSegmentReads } from '../db/crm/segment-reads.js';
import { makeCrmValue } from './usecases/crm/crm-value.js';
import { RfmScheduler } from './usecases/crm/customer-value-admin.js';
import { makeFindDuplicates, startDuplicateWorker } from './usecases/find-duplicates.js';
import { makeUnmergeCustomers } from './usecases/unmerge-customers.js';
import { makeImportCustomers } from './usecases/import-customers.js';
import { makeExportCustomers } from './usecases/export-customers.js';
import { makeIngestMessage } from './usecases/ingest-message.js';
import { makeManageAgentRouting } from './usecases/manage-agent-routing.js';
import { makeManageChannelAccounts } from './usecases/manage-channel-accounts.js';
import { makeManageQueues } from './usecases/manage-queues.js';
import { makeManageCannedResponses } from './usecases/manage-canned-responses.js';
import { makeManageUsers } from './usecases/manage-users.js';
import { makeReplyToConversation } from './usecases/reply-to-conversation.js';
import { makeWebChat } from './usecases/web-chat.js';
import { makeImportEmail } from './usecases/import-email.js';
import { makeSendSystemReply } from './usecases/send-system-reply.js';
import { createEmailChannel } from '../channels/email/email.channel.js';
import { DEFAULT_RECEIVER_OPTIONS, type ReceiverOptions } from '../channels/email/imap-receiver.js';
import { EmailInboxes } from './email-inboxes.js';
import { createSmsChannel } from '../channels/sms/sms.channel.js';
import { makeFindWebhookAccount } from './usecases/webhook-account.js';
import { makeReceiveSms } from './usecases/receive-sms.js';
import { DEFAULT_RESUME_PENDING_MEDIA, makeResumePendingMedia, type ResumePendingMediaOptions } from './usecases/resume-pending-media.js';
import { makeReceiveMessenger } from './usecases/receive-messenger.js';
import { createMessengerChannel } from '../channels/messenger/messenger.channel.js';
import { createLineChannel } from '../channels/line/line.channel.js';
import { makeReceiveLine } from './usecases/receive-line.js';
import { makeReceiveSlack } from './usecases/receive-slack.js';
import { createSlackChannel } from '../channels/slack/slack.channel.js';
import { DEFAULT_SLACK_MIRROR_OPTIONS, SlackMirror, type SlackMirrorOptions } from './slack/slack-mirror.js';
import { makeClaimLineReplyToken } from './usecases/line-reply-token.js';
import { makeRecordDeliveryStatus } from './usecases/record-delivery-status.js';
import { makePublicMedia } from './usecases/public-media.js';
import { loadFlows } from './ivr/load-flows.js';
import { makeVoiceCalls } from './usecases/voice-calls.js';
import { makeVoiceAgent } from './usecases/voice-agent.js';
import { makeCsatSurveys } from './usecases/crm/csat-surveys.js';
import { makeManageCampaigns } from './usecases/crm/manage-campaigns.js';
import { CampaignRunner, DEFAULT_CAMPAIGN_OPTIONS, type CampaignRunnerOptions } from './outbox/campaign-runner.js';
import { DEFAULT_REPORT_ROLLUP_OPTIONS, makeReportRollup, type ReportRollupOptions } from './usecases/report-rollup.js';
import { makeBuildReport } from './usecases/build-report.js';
import { createVoiceChannel } from '../channels/voice/voice.channel.js';
import { renderIvrTwiml } from '../channels/voice/twiml.js';
import { bridgeTwiml, dialCustomerTwiml, emptyTwiml, hangupTwiml, waitTwiml } from '../channels/voice/call-twiml.js';
import { placeCall, redirectCall, voiceAccessToken } from '../channels/voice/voice-api.js';
import { VoiceCredentials, VoiceSettings } from '../channels/voice/account.js';
import { fetchTwilioMedia } from '../channels/twilio/media.js';
import { projectRoot } from './paths.js';
import { AppError } from './domain/errors.js';
import type { ChannelAccount, InboundMessage } from './domain/types.js';

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  events: EventBus;
  /** The mail readers (tests wait on a receiver's events). */
  inboxes: EmailInboxes;
  /** Posts to Slack (tests check queue alerts now and wait for what was decided). */
  slackMirror: SlackMirror;
  /** Stops accepting work, finishes what is in flight, closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  now?: () => number;
  outbox?: Partial<OutboxOptions>;
  routing?: Partial<RoutingOptions>;
  front?: Partial<RoutingFrontOptions>;
  stats?: Partial<StatsPublisherOptions>;
  /** Mail readers (tests shorten the reconnect backoff). */
  email?: Partial<ReceiverOptions>;
  /** Slack posts (tests shorten the backoff). */
  slack?: Partial<SlackMirrorOptions>;
  /** The campaign runner (tests poll faster, scan triggers at once). */
  campaigns?: Partial<CampaignRunnerOptions>;
  /** The daily report rollup (tests turn the leader's periodic pass off). */
  reports?: Partial<ReportRollupOptions>;
  /** The sweep for customers' files a stop left unfetched (tests shorten its settling time). */
  pendingMedia?: Partial<ResumePendingMediaOptions>;
  /** PostgreSQL schema (tests isolate themselves). */
  schema?: string;
  version?: string;
}

export async function startServer(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const now = options.now ?? Date.now;
  // Before anything else: a broken flow file stops start-up with the file and node named.
  const flows = loadFlows(config.ivrFlowsDir ?? path.join(projectRoot, 'ivr-flows'));
  const database: Database = openDatabase(config.databaseUrl, { schema: options.schema });
  await migrate(database);
  const store = createStore(database);
  const events = new EventBus((err, event) => log.error({ err, event: event.type }, 'event handler failed'));
  const secrets = new SecretBox(resolveSecret(config.secretKey, config.dataDir));
  const files = new FileStorage(path.join(config.dataDir, 'attachments'));
  const deps = { store, events, now };

  // In-flight work (HTTP requests, socket ingests) that shutdown waits for.
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };
  /**
   * A catch-up the routing leader runs (at taking the lead, then every 10 minutes): one run at a time
   * (a call while one runs is dropped), tracked for shutdown, what it did logged as `done`.
   */
  const leaderChore = <A extends unknown[]>(work: (...args: A) => Promise<number>, done: string, failed: string) => {
    let running: Promise<unknown> | undefined;
    return (...args: A): void => {
      running ??= track(work(...args))
        .then((count) => count && log.info({ count }, done))
        .catch((err: unknown) => log.warn({ err }, failed))
        .finally(() => (running = undefined));
    };
  };

  // Satisfaction surveys: a reply that is only a score answers the survey of the conversation just resolved.
  const csat = makeCsatSurveys({ ...deps, log }, { linkKey: secrets.derive('csat-link'), publicUrl: config.publicUrl });
  // Surveys a stop kept from being sent (a crash between a resolve and its survey, on any node): asked
  // by a node when it becomes the routing leader and every 10 minutes while it leads; the survey's
  // unique key keeps each to one.
  const csatCatchUp = leaderChore(() => csat.catchUp(), 'CSAT: sent the surveys a stop had left unsent', 'CSAT: the catch-up failed');
  const ingest = makeIngestMessage(deps, { reopenWindowMs: config.reopenWindowMs, surveyReplies: csat.surveyReplies });
  const auth = makeAuth(deps, config.tokenTtlMs);
  const webChat = makeWebChat({ store, files, now, ingest: (m) => track(ingest(m)) });
  const users = makeManageUsers(deps);
  await users
    .ensureFirstAdmin(config.admin)
    .then((created) => created && log.info({ email: config.admin?.email }, 'created the first admin'));

  // Several nodes: Redis carries socket broadcasts, domain events and calls to the routing leader.
  const { cluster } = config;
  const link = cluster.redisUrl
    ? await ClusterLink.connect(
        { url: cluster.redisUrl, name: cluster.name, nodeId: cluster.nodeId, callTimeoutMs: 5_000, retryMs: 100 },
        log,
      )
    : undefined;
  link?.relay(events);
  // One node runs the routing board and the live statistics (the leader); every node's front reaches it.
  const routing: RoutingFront = new RoutingFront(
    {
      lock: database.engine === 'postgres' ? postgresLeaderLock(config.databaseUrl, cluster.name) : soleLeaderLock(),
      rpc: link,
      log,
      lead: async (): Promise<RoutingLeader> => {
        const service = new RoutingService(
          { store, events, log, now },
          {
            ...DEFAULT_ROUTING_OPTIONS,
            isQueueOpen: (queue, at) => isOpen(queue.businessHours, at),
            isAgentConnected: async (agentId): Promise<boolean> => (await gateway.io.in(`agent:${agentId}`).fetchSockets()).length > 0,
            ...options.routing,
          },
        );
        const stats = new StatsPublisher(
          { snapshot: () => service.snapshot(), source: store.routingEvents, events, now, log, emit: statsRoom.pushDelta },
          { ...DEFAULT_STATS_OPTIONS, ...options.stats },
        );
        await service.start();
        await stats.start();
        csatCatchUp(); // the surveys a stop left unsent (see csatCatchUp)
        pendingMediaSweep(false); // the customers' files a stop left unfetched (see pendingMediaSweep)
        // A new leader starts a new stream: supervisors already watching take its full report.
        stats.current().then(statsRoom.pushFull, (err: unknown) => log.warn({ err }, 'could not push the queue statistics'));
        return { routing: service, stats };
      },
    },
    { ...DEFAULT_FRONT_OPTIONS, ...options.front },
  );
  const httpServer = http.createServer();
  // The gateway is created after express is attached (socket.io must wrap the existing request listener).
  const refKey = secrets.derive('email-ticket-ref');
  // Links Twilio fetches the pictures of an MMS from (a day: a queued message may fetch them late).
  const publicMedia = makePublicMedia(deps, { key: secrets.derive('public-media'), publicUrl: config.publicUrl, ttlMs: 24 * 3_600_000 });
  const channels = new ChannelRegistry([
    createWebChatChannel({ pushToVisitor: (id, m) => gateway.pushToVisitor(id, m) }),
    createEmailChannel({ refKey }),
    createSmsChannel({ publicUrl: config.publicUrl, mediaUrl: publicMedia.urlFor }),
    createMessengerChannel({ mediaUrl: publicMedia.urlFor, now }),
    createLineChannel({ mediaUrl: publicMedia.urlFor, claimReplyToken: makeClaimLineReplyToken(deps) }),
    createVoiceChannel({ flowNames: () => [...flows.keys()] }),
    createSlackChannel(),
  ]);
  const voiceCredentials = async (account: ChannelAccount) => {
    const sealed = await store.channelAccounts.sealedCredentials(account.id);
    if (!sealed) throw new AppError('CONFLICT', `the voice number "${account.name}" has no credentials`);
    return VoiceCredentials.parse(secrets.open<Record<string, unknown>>(sealed));
  };
  const spoken = (text: string, language: string, voice: string | null | undefined) => ({ text, language, ...(voice ? { voice } : {}) });
  const voice = makeVoiceCalls({
    ...deps,
    flows,
    ingest: (m) => track(ingest(m)),
    enqueueInto: (id, queueId, priority) => routing.enqueueInto(id, queueId, priority),
    leaveQueue: (id) => routing.leaveQueue(id),
    returnUnanswered: (id, agentId) => routing.returnUnanswered(id, agentId),
    queueStats: () => routing.queueStats(),
    render: {
      ivr: renderIvrTwiml,
      wait: ({ announce, language, voice, holdMusicUrl, pauseSeconds, redirectUrl }) =>
        waitTwiml({ announce: announce ? spoken(announce, language, voice) : null, holdMusicUrl, pauseSeconds, redirectUrl }),
      bridge: ({ announce, language, voice, ...dial }) =>
        bridgeTwiml({ announce: spoken(announce, language, voice), ...dial, timeoutSeconds: 25 }),
      hangup: ({ goodbye, language, voice }) => hangupTwiml(goodbye ? spoken(goodbye, language, voice) : null),
      dialCustomer: ({ number, callerId, action }) => dialCustomerTwiml({ announce: null, number, callerId, action }),
      empty: emptyTwiml,
    },
    storeRecording: async (account, url) => {
      const settings = VoiceSettings.parse(account.settings);
      const fetched = await fetchTwilioMedia(settings, await voiceCredentials(account), `${url}.mp3`, {
        maxBytes: config.uploadMaxBytes,
      });
      if (!fetched.ok)
        throw new AppError(fetched.temporary ? 'UNAVAILABLE' : 'VALIDATION', `the recording could not be fetched: ${fetched.message}`);
      const stored = await files.put(fetched.bytes);
      const attachment = await store.attachments.create(
        {
          channelAccountId: account.id,
          uploaderType: 'customer',
          uploaderId: account.id,
          filename: 'voicemail.mp3',
          contentType: 'audio/mpeg',
          size: stored.size,
          sha256: stored.sha256,
          storageKey: stored.storageKey,
        },
        now(),
      );
      return {
        type: 'file',
        attachmentId: attachment.id,
        filename: attachment.filename,
        contentType: attachment.contentType,
        size: attachment.size,
      };
    },
    redirectCall: async (account, callSid, url) =>
      redirectCall(VoiceSettings.parse(account.settings), await voiceCredentials(account), callSid, url),
    log,
  });
  const voiceAgent = makeVoiceAgent({
    ...deps,
    flows,
    publicUrl: config.publicUrl,
    credentialsOf: voiceCredentials,
    token: (account, credentials, identity) =>
      voiceAccessToken(VoiceSettings.parse(account.settings), VoiceCredentials.parse(credentials), identity, 3600),
    placeCall: (account, credentials, call) => placeCall(VoiceSettings.parse(account.settings), VoiceCredentials.parse(credentials), call),
  });
  // An agent took a waiting call: the caller is put through now.
  events.subscribe((e) => {
    if (
      e.type === 'conversation.updated' &&
      e.conversation.channelKind === 'voice' &&
      e.conversation.assigneeId &&
      !e.previous.assigneeId
    ) {
      void voice.assigned(e.conversation).catch((err: unknown) => log.warn({ err }, 'voice: could not put the call through'));
    }
  });
  const importEmail = makeImportEmail({
    ...deps,
    files,
    ingest: (m) => track(ingest(m)),
    sendSystemReply: makeSendSystemReply(deps),
    refKey,
  });
  const reply = makeReplyToConversation(deps);
  // The CRM's value side; segment counts and the RFM refresh run off the event loop (db/crm/segment-reads.ts).
  const segmentReads = createSegmentReads(database, config.databaseUrl);
  const crmValue = makeCrmValue({ ...deps, log }, segmentReads);
  const rfmScheduler = new RfmScheduler({ admin: crmValue.admin, leading: () => routing.leading, now, log });
  const campaignRunner = new CampaignRunner(
    { store, events, log, now, active: () => routing.leading },
    { ...DEFAULT_CAMPAIGN_OPTIONS, ...options.campaigns },
  );
  // A resolved conversation's customer is asked for a score (every node hears it; the survey's unique key keeps it to one).
  events.subscribe((e) => {
    if (e.type === 'conversation.updated' && e.conversation.status === 'resolved' && e.previous.status !== 'resolved') {
      void track(csat.conversationResolved(e.conversation)).catch((err: unknown) => log.warn({ err }, 'CSAT: could not send the survey'));
    }
  });
  const findDuplicates = makeFindDuplicates({ ...deps, log });
  const reportRollup = makeReportRollup(deps, {
    ...DEFAULT_REPORT_ROLLUP_OPTIONS,
    timeZone: config.reportTimeZone,
    canBuild: () => routing.leading,
    ...options.reports,
  });
  // Customers' messages from the providers; their files are fetched after the provider has its answer.
  const webhookAccount = makeFindWebhookAccount({ store, secrets });
  const intake = { ...deps, ingest: (m: InboundMessage) => track(ingest(m)), files, maxMediaBytes: config.uploadMaxBytes, track, log };
  const recordDeliveryStatus = makeRecordDeliveryStatus(deps);
  const sms = makeReceiveSms({ ...intake, sendSystemReply: makeSendSystemReply(deps), recordDeliveryStatus });
  const line = makeReceiveLine(intake);
  const messenger = makeReceiveMessenger({ ...intake, recordDeliveryStatus });
  const resumePendingMedia = makeResumePendingMedia(
    {
      store,
      now,
      log,
      findAccount: webhookAccount,
      channels: { sms: sms.resumePending, line: line.resumePending, messenger: messenger.resumePending },
    },
    { ...DEFAULT_RESUME_PENDING_MEDIA, ...options.pendingMedia },
  );
  const pendingMediaSweep = leaderChore(
    resumePendingMedia,
    'fetched the files a stop had left pending',
    'the sweep for pending files failed',
  );
  const app = createApp(
    {
      store,
      channels,
      auth,
      users,
      channelAccounts: makeManageChannelAccounts({ ...deps, channels, secrets }),
      queues: makeManageQueues(deps),
      cannedResponses: makeManageCannedResponses(deps),
      agentRouting: makeManageAgentRouting(deps),
      reply,
      assign: makeAssignConversation(deps),
      changeStatus: makeChangeConversationStatus(deps),
      tagConversation: makeTagConversation(deps),
      updateCustomer: makeUpdateCustomer(deps),
      linkCustomers: makeLinkCustomers(deps),
      findDuplicates,
      unmergeCustomers: makeUnmergeCustomers(deps),
      importCustomers: makeImportCustomers(deps),
      exportCustomers: makeExportCustomers(deps),
      importEmail,
      webChat,
      files,
      now,
      onSessionsRevoked: (match) => events.publish({ type: 'sessions.revoked', match }),
      routing,
      queueStats: () => routing.queueStats(),
      webhookAccount,
      sms,
      line,
      messenger,
      slack: makeReceiveSlack({ ...deps, reply, log }),
      publicMedia,
      voice,
      voiceAgent,
      crmValue,
      campaigns: makeManageCampaigns(deps, () => campaignRunner.kick()),
      csat,
      reports: makeBuildReport(deps, reportRollup, segmentReads),
      reportTimeZone: reportRollup.timeZone,
    },
    {
      publicUrl: config.publicUrl,
      jsonBodyLimit: config.jsonBodyLimit,
      uploadMaxBytes: config.uploadMaxBytes,
      version: options.version ?? '0.1.0',
    },
    log,
    {
      ready: () => store.ping().then(() => true),
      track,
      node: () => ({ node: cluster.nodeId, routing: routing.leading ? 'leader' : 'follower' }),
    },
  );
  httpServer.on('request', app);
  const gateway: Gateway = new Gateway(
    httpServer,
    { auth, webChat, store, events, log, now, track, routing, csat },
    {
      maxEventBytes: config.socketMaxEventBytes,
      eventsPerSecond: config.socketEventsPerSecond,
      visitorAckTimeoutMs: 5_000,
      adapter: link?.adapter,
    },
  );
  const statsRoom = queueStatsRoom(gateway.io, () => routing.queueStats(), log);
  const inboxes = new EmailInboxes(
    { store, events, secrets, importEmail, log, active: () => routing.leading },
    { ...DEFAULT_RECEIVER_OPTIONS, ...options.email },
  );
  const slackMirror = new SlackMirror(
    { store, events, secrets, log, now, publicUrl: config.publicUrl ?? null, routing },
    { ...DEFAULT_SLACK_MIRROR_OPTIONS, ...options.slack },
  );
  const outbox = new OutboxWorker({ store, channels, events, secrets, log, now, files }, { ...DEFAULT_OUTBOX_OPTIONS, ...options.outbox });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  await routing.start();
  outbox.start();
  const leaderChores = setInterval(() => {
    if (!routing.leading) return;
    csatCatchUp();
    pendingMediaSweep(true);
  }, 10 * 60_000);
  leaderChores.unref();
  campaignRunner.start();
  const stopDuplicateWorker = startDuplicateWorker(findDuplicates, events, { intervalMs: 30_000, track });
  slackMirror.start();
  inboxes.start();
  rfmScheduler.start();
  reportRollup.start(
    () => routing.leading,
    (err) => log.warn({ err }, 'report rollup pass failed'),
  );
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  log.info({ port, database: database.engine }, 'omnidesk is listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    events,
    inboxes,
    slackMirror,
    close: () =>
      (closing ??= (async () => {
        // 1. stop accepting connections; 2. let requests and ingests in flight finish;
        // 3. stop the outbox after its current sends; 4. close sockets and the database.
        clearInterval(leaderChores);
        const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        gateway.stopAccepting();
        const deadline = new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
        // Work can still join while earlier work runs (a request on a kept-alive connection), so drain
        // until nothing is left rather than waiting on a snapshot.
        const drain = async () => {
          while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        };
        await Promise.race([drain(), deadline]);
        await inboxes.stop();
        await routing.stop();
        await campaignRunner.stop();
        await outbox.stop();
        await stopDuplicateWorker();
        await slackMirror.stop();
        await reportRollup.stop();
        rfmScheduler.stop();
        await segmentReads.close();
        await gateway.close();
        await link?.close();
        httpServer.closeAllConnections();
        await stopped;
        await database.close();
      })()),
  };
}
