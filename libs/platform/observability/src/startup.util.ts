import { exitOnStartupFailure } from '@baton/platform-config';
import { initTracing } from './tracing';
import { tracingOptionsFromEnv, type OtelEnv, type TracingOptions } from './tracing-options.types';

/**
 * What each app's instrument.ts does before Nest loads: validates the app's environment and
 * starts tracing from its OTEL_* variables. A bad variable ends the process here with one line
 * naming it (exit code 1), before anything else could throw it uncaught. With no exporter and no
 * sampler named, spans are made with real ids but not recorded (`unexportedSpans: 'ids-only'`).
 */
export function instrumentProcess<E extends OtelEnv>(
  service: string,
  loadEnv: () => E,
  options: Pick<TracingOptions, 'unexportedSpans'> = {},
): E {
  let env: E;
  try {
    env = loadEnv();
  } catch (error) {
    exitOnStartupFailure(service, error);
  }
  // Spans nobody exports are not recorded, in every app (see TracingOptions.unexportedSpans).
  initTracing({ ...tracingOptionsFromEnv(service, env), unexportedSpans: 'ids-only', ...options });
  return env;
}
