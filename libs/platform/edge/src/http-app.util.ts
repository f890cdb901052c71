import { HttpExceptionFilter } from '@baton/platform-errors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { installInputHardening } from './input/input-hardening.util';

/** Largest request body any Baton app reads. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * What every Baton HTTP app shares at its edge, called by the service apps' bootstrap, the
 * standalone app and the sample-systems app before they initialise: errors as
 * `{ error, message, details }` and the input hardening of every route. Authentication is the
 * app-wide guard of EdgeAuthModule.
 */
export function configureHttpApp(app: NestFastifyApplication): void {
  app.useGlobalFilters(new HttpExceptionFilter());
  installInputHardening(app.getHttpAdapter().getInstance());
}
