/**
 * Runs `handle` over a batch of messages the way every bus delivers a batch: messages with
 * different keys concurrently, one key's messages one after the other, in batch order. Stops
 * starting new ones once `running()` says so (what is under way finishes).
 */
export async function forEachKeyInOrder<M extends { key: string }>(
  batch: readonly M[],
  running: () => boolean,
  handle: (message: M) => Promise<boolean>,
): Promise<void> {
  const chains = new Map<string, M[]>();
  for (const message of batch) {
    const chain = chains.get(message.key);
    if (chain) chain.push(message);
    else chains.set(message.key, [message]);
  }
  await Promise.all(
    [...chains.values()].map(async (chain) => {
      for (const message of chain) {
        if (!running()) return;
        // A handler that says false ends its key's chain here (its message stays undone).
        if (!(await handle(message))) return;
      }
    }),
  );
}
