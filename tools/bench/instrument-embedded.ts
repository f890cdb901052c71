// Loaded first by bench.ts. In the embedded and webhook modes the engine runs in this process; it
// is traced as `npm start` traces it (instrument.ts: spans always made, exported only when the
// OTEL_* variables say so), so the figures are those of the default a user runs. Kafka mode's
// services are their own processes, each instrumented by its own main.
/* eslint-disable @nx/enforce-module-boundaries -- as bench.ts: tools may import anything. */
import { loadStandaloneEnv } from '../../apps/standalone/src/config/standalone.env';
/* eslint-enable @nx/enforce-module-boundaries */
import { instrumentProcess } from '@baton/platform-observability';

function modeOf(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--mode') return argv[i + 1] ?? '';
    if (arg.startsWith('--mode=')) return arg.slice('--mode='.length);
  }
  return 'embedded';
}

if (modeOf(process.argv.slice(2)) !== 'kafka') instrumentProcess('standalone', loadStandaloneEnv);
