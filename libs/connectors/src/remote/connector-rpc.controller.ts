import { AllOrganisations, describeIssues, requestBody, RequireRoles, ValidBody } from '@baton/platform-edge';
import { DomainException, errorMessage } from '@baton/platform-errors';
import { inCarriedContext } from '@baton/platform-observability';
import { Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { z } from 'zod';
import { ConnectorError } from '../port/connector.exception';
import type { ConnectorRegistry } from '../port/connector.registry';
import type {
  ConnectorBatchCall,
  ConnectorBatchResponse,
  ConnectorCallFailure,
  ConnectorCallRequest,
  RemoteConnectorDescription,
} from './remote-connector';

export const HOSTED_CONNECTORS = Symbol('HOSTED_CONNECTORS');

const statusOf = { data: 422, transient: 503, infrastructure: 502 } as const;

/** The fields of one call, alone or in a batch. */
const callFields = {
  args: z.record(z.string(), z.unknown(), { error: 'must be an object of arguments' }).default({}),
  idempotencyKey: z.string({ error: 'must be a string' }).optional(),
  runId: z.string({ error: 'must be a string' }).optional(),
  orgId: z.string({ error: 'must be a string' }).optional(),
};

/**
 * `POST /connectors/:name/:operation`, what RemoteConnector sends. Fields a newer client adds are
 * ignored, so processes of neighbouring versions keep talking.
 */
export const connectorCallRequest = requestBody(z.object(callFields), {
  invalid: (issues) => new DomainException('invalid_request', describeIssues('invalid connector call', issues), { issues }, 'reject'),
});

/** Calls one `POST /connectors/batch` takes at most. */
export const MAX_BATCH_CALLS = 256;

/**
 * `POST /connectors/batch`, what RemoteConnector sends for calls made at the same moment: each
 * call as the single route takes it, with the connector and operation it names and the caller's
 * trace context.
 */
export const connectorBatchRequest = requestBody(
  z.object({
    calls: z
      .array(
        z.object({
          connector: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
          operation: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
          ...callFields,
          trace: z.record(z.string(), z.string(), { error: 'must be an object of strings' }).optional(),
        }),
        { error: 'must be a list of calls' },
      )
      .min(1, { error: 'must hold at least one call' })
      .max(MAX_BATCH_CALLS, { error: `must hold at most ${MAX_BATCH_CALLS} calls` }),
  }),
  {
    invalid: (issues) => new DomainException('invalid_request', describeIssues('invalid connector batch', issues), { issues }, 'reject'),
  },
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

  /**
   * The calls of a batch, run at once: per call, in the order sent, the status and body the call
   * alone would have had. Each runs in its caller's trace.
   */
  @Post('batch')
  @HttpCode(200)
  async batch(@ValidBody(connectorBatchRequest) body: { calls: ConnectorBatchCall[] }): Promise<ConnectorBatchResponse> {
    const results = await Promise.all(
      body.calls.map(({ connector, operation, trace, ...request }) =>
        inCarriedContext(trace, () =>
          this.answer(connector, operation, request).catch((error: unknown) => ({
            status: 500,
            body: { error: 'internal_error', message: errorMessage(error) },
          })),
        ),
      ),
    );
    return { results };
  }

  @Post(':name/:operation')
  @HttpCode(200)
  async call(
    @Param('name') name: string,
    @Param('operation') operation: string,
    @ValidBody(connectorCallRequest) body: ConnectorCallRequest,
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ): Promise<{ result: unknown } | ConnectorCallFailure> {
    const answer = await this.answer(name, operation, body);
    reply.status(answer.status);
    return answer.body;
  }

  /**
   * One call as either route answers it: its result, or the connector's failure with the status of
   * its class. Anything else is thrown (a 500, by the route or the batch).
   */
  private async answer(
    name: string,
    operation: string,
    body: ConnectorCallRequest,
  ): Promise<{ status: number; body: { result: unknown } | ConnectorCallFailure }> {
    try {
      const result = await this.registry
        .get(name)
        .call(operation, body.args, { idempotencyKey: body.idempotencyKey, runId: body.runId, orgId: body.orgId });
      return { status: 200, body: { result: result ?? null } };
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      return { status: statusOf[error.failureClass], body: { error: error.toJSON() as ConnectorCallFailure['error'] } };
    }
  }
}
