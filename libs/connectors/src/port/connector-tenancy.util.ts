import { ConnectorError, ConnectorErrorCode } from './connector.exception';
import type { ConnectorCallContext } from './connector.types';

/**
 * A connector to a real system cannot see which organisation a record belongs to, so it is
 * configured per organisation instead (`orgIds`: the accounts its credentials reach belong to
 * them). A call made for any other organisation is refused as a data failure before anything is
 * sent. Without `orgIds` the system is shared by every organisation.
 */
export function assertConfiguredFor(
  connector: string,
  operation: string,
  orgIds: readonly string[] | undefined,
  ctx: ConnectorCallContext,
): void {
  if (!orgIds || ctx.orgId === undefined || orgIds.includes(ctx.orgId)) return;
  throw new ConnectorError(
    connector,
    operation,
    'data',
    ConnectorErrorCode.WrongOrganisation,
    `${connector}.${operation}: this connector is configured for ${orgIds.join(', ')}, not ${ctx.orgId}`,
  );
}
