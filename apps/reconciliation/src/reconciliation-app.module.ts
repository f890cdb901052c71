import { ReconciliationModule, reconciliationEntities, reconciliationMigrations } from '@baton/reconciliation';
import { serviceRuntimeOptions } from '@baton/platform-bootstrap';
import { BatonRuntimeModule } from '@baton/platform-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ReconciliationEnv } from './config/reconciliation.env';

/** The reconciliation service alone in its process, on the adapters its environment names. */
@Module({})
export class ReconciliationAppModule {
  static forRoot(env: ReconciliationEnv): DynamicModule {
    return {
      module: ReconciliationAppModule,
      imports: [
        BatonRuntimeModule.forRoot(serviceRuntimeOptions('reconciliation', reconciliationMigrations, env, reconciliationEntities)),
        ReconciliationModule,
      ],
    };
  }
}
