import { Module, type DynamicModule } from '@nestjs/common';
import type { SampleSystems } from '../sample/sample-systems.factory';
import { ConnectorRpcController, HOSTED_CONNECTORS } from './connector-rpc.controller';
import { SAMPLE_SYSTEMS, SampleSystemsController } from './sample-systems.controller';

/** The sample systems over HTTP: their demo API (/samples) and the connector RPC (/connectors). */
@Module({})
export class SampleSystemsHttpModule {
  static forRoot(systems: SampleSystems): DynamicModule {
    return {
      module: SampleSystemsHttpModule,
      controllers: [SampleSystemsController, ConnectorRpcController],
      providers: [
        { provide: SAMPLE_SYSTEMS, useValue: systems },
        { provide: HOSTED_CONNECTORS, useValue: systems.registry },
      ],
    };
  }
}
