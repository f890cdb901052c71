export type {
  ArgPresence,
  Connector,
  ConnectorCallContext,
  ConnectorCallPurpose,
  FailureClass,
  OperationKind,
  OperationSpec,
} from './port/connector.types';
export { ConnectorError, ConnectorErrorCode } from './port/connector.exception';
export { ConnectorRegistry } from './port/connector.registry';
export { TracedConnector } from './port/traced-connector';
export { ConnectorArgs } from './port/connector-args.util';
export { roundToCents } from './port/money.util';

export type {
  ChangeListener,
  FailNextFault,
  FaultKind,
  FaultSettings,
  RecordChange,
  SampleSystemOptions,
  SampleSystemSnapshot,
} from './sample/sample-system.types';
export { FaultSwitch } from './sample/fault-switch.util';
export { SampleSystem, type SampleJournal, type SampleJournalEntry, type SampleOperation } from './sample/sample-system.base';
export { SampleJournalRepository } from './sample/persistence/sample-journal.repository';
export { sampleSystemsMigrations } from './sample/persistence/1765000300000-create-sample-journal';
export { sampleSystemsEntities } from './sample/persistence/sample-journal.entity';
export { SampleIds } from './sample/sample-data.seed';
export * from './sample/crm.types';
export * from './sample/billing.types';
export * from './sample/notifications.types';
export * from './sample/tickets.types';
export { CrmSampleSystem } from './sample/crm.sample-system';
export { BillingSampleSystem } from './sample/billing.sample-system';
export { NotificationsSampleSystem } from './sample/notifications.sample-system';
export { TicketsSampleSystem } from './sample/tickets.sample-system';
export { createSampleSystems, type SampleSystems, type SampleSystemsSnapshot } from './sample/sample-systems.factory';

export {
  AddressPolicy,
  DENIED_RANGES,
  resolveAll,
  type HostResolver,
  type ResolvedAddress,
  type VettedTarget,
} from './http/address-policy.util';
export { GuardedHttpClient, type GuardedHttpOptions, type HttpRequest, type HttpResponse } from './http/guarded-http.client';
export { HttpErrorCode, failureForStatus, parseRetryAfter } from './http/http-failure.util';
export type { HttpAuth, HttpConnectorConfig, HttpConnectorDeps, HttpMethod, HttpOperationConfig } from './http/http-connector.types';
export { HttpConnector } from './http/http.connector';
export type { SmtpConnectorConfig, SmtpConnectorDeps, SmtpSendResult } from './smtp/smtp-connector.types';
export { SmtpConnector } from './smtp/smtp.connector';
export type { SlackPostResult, SlackWebhookConfig, SlackWebhookDeps } from './slack/slack-webhook.types';
export { SlackWebhookConnector } from './slack/slack-webhook.connector';
export {
  RemoteConnector,
  ConnectorTransport,
  connectRemoteConnectors,
  type ConnectorCallFailure,
  type ConnectorCallRequest,
  type RemoteConnectorDescription,
} from './remote/remote-connector';
export { ConnectorRpcController, HOSTED_CONNECTORS } from './remote/connector-rpc.controller';
export { SampleSystemsController, SAMPLE_SYSTEMS } from './remote/sample-systems.controller';
export { SampleSystemsHttpModule } from './remote/sample-systems-http.module';
