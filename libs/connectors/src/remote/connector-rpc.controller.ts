import { AllOrganisations, RequireRoles } from '@baton/platform-edge';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ConnectorError } from '../port/connector.exception';
import type { ConnectorRegistry } from '../port/connector.registry';
import type { ConnectorCallFailure, ConnectorCallRequest, RemoteConnectorDescription } from './remote-connector';

export const HOSTED_CONNECTORS = Symbol('HOSTED_CONNECTORS');

const statusOf = { data: 422, transient: 503, infrastructure: 502 } as const;

/**
 * Serves the connectors of this process to RemoteConnector clients in other processes: the Baton
 * services, with a key of the `connector` role (BATON_CONNECTORS_API_KEY). Each call names the
 * organisation it is made for, and the systems hold it to that organisation's records.
 */
@ApiExcludeController()
@RequireRoles('connector')
@AllOrganisations()
@Controller('connectors')
export class ConnectorRpcController {
  constructor(@Inject(HOSTED_CONNECTORS) private readonly registry: ConnectorRegistry) {}

  @Get()
  list(): { connectors: RemoteConnectorDescription[] } {
    return { connectors: this.registry.list().map((c) => ({ name: c.name, operations: [...c.operations] })) };
  }

  @Post(':name/:operation')
  @HttpCode(200)
  async call(
    @Param('name') name: string,
    @Param('operation') operation: string,
    @Body() body: ConnectorCallRequest,
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ): Promise<{ result: unknown } | ConnectorCallFailure> {
    try {
      const args = body && typeof body.args === 'object' && body.args !== null ? body.args : {};
      const result = await this.registry.get(name).call(operation, args, { idempotencyKey: body?.idempotencyKey, runId: body?.runId, orgId: body?.orgId });
      return { result: result ?? null };
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      reply.status(statusOf[error.failureClass]);
      return { error: error.toJSON() as ConnectorCallFailure['error'] };
    }
  }
}
