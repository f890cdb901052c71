import { ActionModule, actionEntities, actionMigrations } from '@baton/action';
import { AuditModule } from '@baton/platform-audit';
import { serviceRuntimeOptions } from '@baton/platform-bootstrap';
import { BatonRuntimeModule } from '@baton/platform-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ActionEnv } from './config/action.env';

/**
 * The action service alone in its process, on the adapters its environment names. It also
 * serves the audit API: reverting an action calls the same connectors the action did.
 */
@Module({})
export class ActionAppModule {
  static forRoot(env: ActionEnv): DynamicModule {
    return {
      module: ActionAppModule,
      imports: [
        BatonRuntimeModule.forRoot(serviceRuntimeOptions('action', actionMigrations, env, actionEntities)),
        ActionModule,
        AuditModule,
      ],
    };
  }
}
