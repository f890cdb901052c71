// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load.
import { initTracing } from '@baton/platform-observability';
import { loadVerificationEnv } from './config/verification.env';

initTracing({ serviceName: 'verification', otlpEndpoint: loadVerificationEnv().OTEL_EXPORTER_OTLP_ENDPOINT });
