import { AllOrganisations, describeIssues, requestBody, RequireRoles, ValidBody } from '@baton/platform-edge';
import { DomainException } from '@baton/platform-errors';
import { Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { z } from 'zod';
import { ConnectorError } from '../port/connector.exception';
import type { ConnectorRegistry } from '../port/connector.registry';
import type { ConnectorCallFailure, ConnectorCallRequest, RemoteConnectorDescription } from './remote-connector';

export const HOSTED_CONNECTORS = Symbol('HOSTED_CONNECTORS');

const statusOf = { data: 422, transient: 503, infrastructure: 502 } as const;

/**
 * `POST /connectors/:name/:operation`, what RemoteConnector sends. Fields a newer client adds are
 * ignored, so processes of neighbouring versions keep talking.
 */
export const connectorCallRequest = requestBody(
  z.object({
    args: z.record(z.string(), z.unknown(), { error: 'must be an object of arguments' }).default({}),
    idempotencyKey: z.string({ error: 'must be a string' }).optional(),
    runId: z.string({ error: 'must be a string' }).optional(),
    orgId: z.string({ error: 'must be a string' }).optional(),
  }),
  { invalid: (issues) => new DomainException('invalid_request', describeIssues('invalid connector call', issues), { issues }, 'reject') },
);

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
    @ValidBody(connectorCallRequest) body: ConnectorCallRequest,
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ): Promise<{ result: unknown } | ConnectorCallFailure> {
    try {
      const result = await this.registry
        .get(name)
        .call(operation, body.args, { idempotencyKey: body.idempotencyKey, runId: body.runId, orgId: body.orgId });
      return { result: result ?? null };
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      reply.status(statusOf[error.failureClass]);
      return { error: error.toJSON() as ConnectorCallFailure['error'] };
    }
  }
}
