import { OffsetCommitter, type OffsetsToCommit } from '../offset-committer.util';
import { recordedRequests } from './recorded-requests.helpers';

/** A commit request function that records each request and completes it when the test says so. */
function requests() {
  const { sent, send, made } = recordedRequests<OffsetsToCommit>();
  return { sent, via: send, made };
}

/** Settles to 'pending' when the promise has not settled after the queued callbacks ran. */
const state = (promise: Promise<void>) =>
  Promise.race([
    promise.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((resolve) => setImmediate(() => resolve('pending'))),
  ]);

describe(OffsetCommitter.name, () => {
  it('sends the commit of an idle committer at once, and resolves it when the request succeeds', async () => {
    const { sent, via, made } = requests();
    const sut = new OffsetCommitter();

    const committed = sut.commit('t', 0, '11', via);
    await made(1);

    expect(sent[0]!.request).toEqual({ topics: [{ topic: 't', partitions: [{ partition: 0, offset: '11' }] }] });
    expect(await state(committed)).toBe('pending');
    sent[0]!.succeed();
    await expect(committed).resolves.toBeUndefined();
  });

  it('puts the commits made while a request is in flight into one next request, the highest offset per partition', async () => {
    const { sent, via, made } = requests();
    const sut = new OffsetCommitter();
    const first = sut.commit('t', 0, '5', via);
    await made(1);

    const waiting = [
      sut.commit('t', 1, '7', via),
      sut.commit('u', 0, '3', via),
      sut.commit('t', 1, '9', via),
      sut.commit('t', 1, '8', via),
    ];
    expect(sent).toHaveLength(1);
    sent[0]!.succeed();
    await first;
    await made(2);

    expect(sent[1]!.request).toEqual({
      topics: [
        { topic: 't', partitions: [{ partition: 1, offset: '9' }] },
        { topic: 'u', partitions: [{ partition: 0, offset: '3' }] },
      ],
    });
    expect(await Promise.all(waiting.map(state))).toEqual(['pending', 'pending', 'pending', 'pending']);
    sent[1]!.succeed();
    await expect(Promise.all(waiting)).resolves.toEqual([undefined, undefined, undefined, undefined]);
    expect(sent).toHaveLength(2);
  });

  it('rejects the callers of a failed request with its error, and the next request goes out all the same', async () => {
    const { sent, via, made } = requests();
    const sut = new OffsetCommitter();
    const first = sut.commit('t', 0, '5', via);
    await made(1);
    const second = sut.commit('t', 1, '2', via);

    sent[0]!.fail(new Error('The coordinator is not aware of this member'));
    await expect(first).rejects.toThrow('not aware of this member');
    await made(2);
    sent[1]!.succeed();
    await expect(second).resolves.toBeUndefined();
  });

  it('settles once every commit made so far is answered, failed ones included, and not before', async () => {
    const { sent, via, made } = requests();
    const sut = new OffsetCommitter();
    await expect(sut.settled()).resolves.toBeUndefined();
    const first = sut.commit('t', 0, '5', via);
    await made(1);
    const second = sut.commit('t', 1, '2', via);
    const settled = sut.settled();

    sent[0]!.fail(new Error('The coordinator is not loaded'));
    await expect(first).rejects.toThrow('not loaded');
    expect(await state(settled)).toBe('pending');
    await made(2);
    sent[1]!.fail(new Error('Rebalance in progress'));
    await expect(second).rejects.toThrow('Rebalance');
    await expect(settled).resolves.toBeUndefined();
  });

  it('sends each request through the request function of the latest call', async () => {
    const older = requests();
    const newer = requests();
    const sut = new OffsetCommitter();
    const first = sut.commit('t', 0, '1', older.via);
    await older.made(1);
    const waiting = [sut.commit('t', 0, '2', older.via), sut.commit('t', 1, '4', newer.via)];

    older.sent[0]!.succeed();
    await first;
    await newer.made(1);

    expect(older.sent).toHaveLength(1);
    newer.sent[0]!.succeed();
    await Promise.all(waiting);
  });
});
