import { DecisioningModule, decisioningEntities, decisioningMigrations } from '@baton/decisioning';
import { serviceRuntimeOptions } from '@baton/platform-bootstrap';
import { BatonRuntimeModule } from '@baton/platform-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { DecisioningEnv } from './config/decisioning.env';

/** The decisioning service alone in its process, on the adapters its environment names. */
@Module({})
export class DecisioningAppModule {
  static forRoot(env: DecisioningEnv): DynamicModule {
    return {
      module: DecisioningAppModule,
      imports: [
        BatonRuntimeModule.forRoot(serviceRuntimeOptions('decisioning', decisioningMigrations, env, decisioningEntities)),
        DecisioningModule,
      ],
    };
  }
}
