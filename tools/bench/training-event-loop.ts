// How long classifier training holds the event loop, all at once (the CLI) and yielding (the
// decisioning service's POST /classifiers/<workflow>/train). Prints one line per mode: wall
// time, the longest and p99 wait of a 5 ms interval timer running beside it, held-out accuracy.
//
//   node tools/build.mjs && node dist/tools/bench/training-event-loop.js --data ../shared/data/banking77
import { parseArgs } from 'node:util';
import { loadBanking77, trainCalibratedClassifier, trainCalibratedClassifierYielding } from '@baton/classifier';

const { values } = parseArgs({
  options: { data: { type: 'string', default: '../shared/data/banking77' }, seed: { type: 'string', default: '1' } },
});

async function main(): Promise<void> {
  const { examples } = await loadBanking77(values.data);
  const options = { seed: Number(values.seed) };
  for (const mode of ['all-at-once', 'yielding'] as const) {
    let last = performance.now();
    const waits: number[] = [];
    const timer = setInterval(() => {
      const now = performance.now();
      waits.push(now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const training =
      mode === 'yielding' ? await trainCalibratedClassifierYielding(examples, options) : trainCalibratedClassifier(examples, options);
    await new Promise((resolve) => setTimeout(resolve, 30));
    clearInterval(timer);
    waits.sort((a, b) => a - b);
    const p99 = waits[Math.min(waits.length - 1, Math.floor(waits.length * 0.99))] ?? NaN;
    process.stdout.write(
      `mode=${mode} examples=${examples.length} seconds=${((performance.now() - started) / 1000).toFixed(1)} ` +
        `longest_wait_ms=${(waits.at(-1) ?? NaN).toFixed(0)} p99_wait_ms=${p99.toFixed(0)} ` +
        `accuracy=${training.heldOut.accuracy.toFixed(4)}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`training-event-loop: ${(error as Error).message}\n`);
  process.exit(1);
});
