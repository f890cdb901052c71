import { ActionModule, actionMigrations } from '@baton/action';
import { serviceRuntimeOptions } from '@baton/platform-bootstrap';
import { BatonRuntimeModule } from '@baton/platform-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ActionEnv } from './config/action.env';

/** The action service alone in its process, on the adapters its environment names. */
@Module({})
export class ActionAppModule {
  static forRoot(env: ActionEnv): DynamicModule {
    return {
      module: ActionAppModule,
      imports: [BatonRuntimeModule.forRoot(serviceRuntimeOptions('action', actionMigrations, env)), ActionModule],
    };
  }
}
