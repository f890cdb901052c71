import { Module, type DynamicModule } from '@nestjs/common';
import type { SampleSystems } from '../sample/sample-systems.factory';
import { ConnectorRpcController, HOSTED_CONNECTORS } from './connector-rpc.controller';
import { SampleSystemsHealthController } from './sample-systems-health.controller';
import { SAMPLE_SYSTEMS, SampleSystemsController } from './sample-systems.controller';

/**
 * The sample systems over HTTP: their demo API and fault switches (/samples) and, where other
 * processes reach them (`serveConnectors`, the sample-systems app), the connector RPC (/connectors)
 * and the process's probes (/health, /ready).
 * Routes exist only where the sample systems do; the app's guard protects them.
 */
@Module({})
export class SampleSystemsHttpModule {
  static forRoot(systems: SampleSystems, options: { serveConnectors?: boolean } = {}): DynamicModule {
    return {
      module: SampleSystemsHttpModule,
      controllers: [SampleSystemsController, ...(options.serveConnectors ? [ConnectorRpcController, SampleSystemsHealthController] : [])],
      providers: [
        { provide: SAMPLE_SYSTEMS, useValue: systems },
        { provide: HOSTED_CONNECTORS, useValue: systems.registry },
      ],
    };
  }
}
