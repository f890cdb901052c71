import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRegistry } from './api-key-registry';

export interface EdgeAuthOptions {
  /** YAML file of API keys; without it (or the registry) every protected route refuses every call. */
  apiKeysFile?: string;
  /** Or the registry itself (tests, embedding). */
  apiKeys?: ApiKeyRegistry;
}

/**
 * The API keys of a process and the guard every route passes: imported once per app (the
 * runtime module does it for the service apps and the standalone app).
 */
@Global()
@Module({})
export class EdgeAuthModule {
  static forRoot(options: EdgeAuthOptions): DynamicModule {
    return {
      module: EdgeAuthModule,
      providers: [
        { provide: ApiKeyRegistry, useFactory: () => options.apiKeys ?? new ApiKeyRegistry(options.apiKeysFile) },
        ApiKeyGuard,
        { provide: APP_GUARD, useExisting: ApiKeyGuard },
      ],
      exports: [ApiKeyRegistry, ApiKeyGuard],
    };
  }
}
