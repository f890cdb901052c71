import { ProgressLine } from '../progress-line.util';

describe(ProgressLine.name, () => {
  const terminal = (isTTY: boolean) => {
    const written: string[] = [];
    return { isTTY, columns: 80, written, write: (text: string) => written.push(text) };
  };

  it('draws nothing when the stream is not a terminal', () => {
    expect(ProgressLine.forTerminal('training', terminal(false))).toBeUndefined();
  });

  it('redraws one line in place, at most ten times a second, always at 100%, and clears it when done', () => {
    const stream = terminal(true);
    let now = 0;
    const sut = ProgressLine.forTerminal('training', stream, () => now)!;

    sut.update(0.1);
    now += 50;
    sut.update(0.2);
    now += 60;
    sut.update(0.5, 'epoch 3/6');
    sut.update(1);
    sut.done();

    expect(stream.written).toEqual([
      `\r\x1b[2Ktraining [##......................]  10%`,
      `\r\x1b[2Ktraining [############............]  50% epoch 3/6`,
      `\r\x1b[2Ktraining [########################] 100%`,
      '\r\x1b[2K',
    ]);
  });
});
