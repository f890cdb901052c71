import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ephemeralPortRange, freePort } from '../free-port.util';

describe(freePort.name, () => {
  it('gives a port that can be listened on at once, below the range outgoing connections take their local ports from', async () => {
    const [low] = ephemeralPortRange();
    const port = await freePort();

    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(Math.min(low, 32_768));
    const server = createServer();
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', done);
    });
    await new Promise((done) => server.close(done));
  });

  it('never gives the same port twice in one process', async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 50; i++) ports.add(await freePort());
    expect(ports.size).toBe(50);
  });
});

describe(ephemeralPortRange.name, () => {
  const file = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'baton-ports-')), 'range');
    writeFileSync(path, text);
    return path;
  };

  it("reads the kernel's range (two numbers, tab-separated)", () => {
    expect(ephemeralPortRange(file('32768\t60999\n'))).toEqual([32_768, 60_999]);
    expect(ephemeralPortRange(file('49152 65535'))).toEqual([49_152, 65_535]);
  });

  it("assumes Linux's default when the file is missing or unreadable", () => {
    expect(ephemeralPortRange('/nonexistent/ip_local_port_range')).toEqual([32_768, 60_999]);
    expect(ephemeralPortRange(file('garbage'))).toEqual([32_768, 60_999]);
  });
});
