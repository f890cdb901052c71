import { VerificationModule, verificationEntities, verificationMigrations } from '@baton/verification';
import { serviceRuntimeOptions } from '@baton/platform-bootstrap';
import { BatonRuntimeModule } from '@baton/platform-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { VerificationEnv } from './config/verification.env';

/** The verification service alone in its process, on the adapters its environment names. */
@Module({})
export class VerificationAppModule {
  static forRoot(env: VerificationEnv): DynamicModule {
    return {
      module: VerificationAppModule,
      imports: [
        BatonRuntimeModule.forRoot(serviceRuntimeOptions('verification', verificationMigrations, env, verificationEntities)),
        VerificationModule,
      ],
    };
  }
}
