/**
 * Long computations written once as generators that `yield` between chunks of work: run to the
 * end at once (the CLI, offline), or with the event loop given a turn at every yield (a service
 * that must keep answering HTTP and heartbeating its Kafka group while it trains). Both run the
 * same steps in the same order, so they give the same result. A step may yield how far the work
 * has come, a fraction from 0 to 1, for a progress display.
 */
export type Steps<T> = Generator<number | void, T, void>;

/** Runs the steps at once; `onProgress` hears every fraction they report. */
export function runToEnd<T>(steps: Steps<T>, onProgress?: (fraction: number) => void): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (onProgress && typeof step.value === 'number') onProgress(step.value);
  }
}

/** The steps as part of larger work: their fractions mapped onto [from, to] of the whole. */
export function* within<T>(steps: Steps<T>, from: number, to: number): Steps<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    yield typeof step.value === 'number' ? from + (to - from) * step.value : undefined;
  }
}

export async function runYielding<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
