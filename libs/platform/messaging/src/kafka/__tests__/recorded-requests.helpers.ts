/**
 * A request function that records each request and completes it when the test says so: what the
 * batching parts (PublishBatcher, OffsetCommitter) are given in their unit tests instead of a broker.
 */
export function recordedRequests<T>() {
  const sent: Array<{ request: T; succeed: () => void; fail: (error: Error) => void }> = [];
  let arrived: (() => void) | undefined;
  const send = (request: T) =>
    new Promise<void>((resolve, reject) => {
      sent.push({ request, succeed: resolve, fail: reject });
      arrived?.();
    });
  /** Resolves once `n` requests have been made. */
  const made = async (n: number) => {
    while (sent.length < n) await new Promise<void>((resolve) => (arrived = resolve));
  };
  return { sent, send, made };
}
