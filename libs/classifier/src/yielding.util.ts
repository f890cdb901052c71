/**
 * Long computations written once as generators that `yield` between chunks of work: run to the
 * end at once (the CLI, offline), or with the event loop given a turn at every yield (a service
 * that must keep answering HTTP and heartbeating its Kafka group while it trains). Both run the
 * same steps in the same order, so they give the same result.
 */
export type Steps<T> = Generator<void, T, void>;

export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function runYielding<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
