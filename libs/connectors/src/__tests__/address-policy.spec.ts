import fc from 'fast-check';
import { AddressPolicy, type HostResolver } from '../index';

const octet = fc.integer({ min: 0, max: 255 });
const dotted = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
const hex = (high: number, low: number) => `${((high << 8) | low).toString(16)}`;

/** Addresses in the ranges every connector must refuse unless allow-listed. */
const privateIpv4 = fc.oneof(
  fc.tuple(octet, octet, octet).map(([b, c, d]) => dotted(10, b, c, d)),
  fc.tuple(octet, octet, octet).map(([b, c, d]) => dotted(127, b, c, d)),
  fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => dotted(172, b, c, d)),
  fc.tuple(octet, octet).map(([c, d]) => dotted(192, 168, c, d)),
  fc.tuple(octet, octet).map(([c, d]) => dotted(169, 254, c, d)),
  fc.tuple(fc.integer({ min: 64, max: 127 }), octet, octet).map(([b, c, d]) => dotted(100, b, c, d)),
  fc.tuple(octet, octet, octet).map(([b, c, d]) => dotted(0, b, c, d)),
  fc.tuple(fc.integer({ min: 224, max: 239 }), octet, octet, octet).map(([a, b, c, d]) => dotted(a, b, c, d)),
);

/** Public unicast: first octets outside every special-purpose block. */
const publicIpv4 = fc
  .tuple(fc.constantFrom(1, 8, 23, 34, 52, 91, 104, 151, 185, 212), octet, octet, octet)
  .map(([a, b, c, d]) => dotted(a, b, c, d));

describe(AddressPolicy.name, () => {
  const sut = new AddressPolicy();

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '::ffff:0:127.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b::169.254.169.254',
    '2002:7f00:1::1',
    '2002:c0a8:101::',
  ])('denies %s', (address) => {
    expect(sut.denial('api.example.com', address)).toMatch(/not on this connector's allow-list/);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows the public address %s',
    (address) => {
      expect(sut.denial('api.example.com', address)).toBeUndefined();
    },
  );

  it('names the IPv4 address inside an IPv6 form when it denies one', () => {
    expect(sut.denial('h', '::ffff:7f00:1')).toContain('::ffff:7f00:1 (127.0.0.1)');
  });

  it('denies every address of the private and reserved IPv4 ranges, also in the IPv4-mapped IPv6 form', () => {
    fc.assert(
      fc.property(privateIpv4, (address) => {
        const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
        expect(sut.denial('h', address)).toBeDefined();
        expect(sut.denial('h', `::ffff:${address}`)).toBeDefined();
        expect(sut.denial('h', `::ffff:${hex(a, b)}:${hex(c, d)}`)).toBeDefined();
      }),
    );
  });

  it('allows public IPv4 addresses', () => {
    fc.assert(fc.property(publicIpv4, (address) => expect(sut.denial('h', address)).toBeUndefined()));
  });

  describe('allow-list', () => {
    it('re-opens a CIDR, and only that CIDR', () => {
      const allowing = new AddressPolicy(['10.20.0.0/16']);

      expect(allowing.denial('h', '10.20.3.4')).toBeUndefined();
      expect(allowing.denial('h', '::ffff:10.20.3.4')).toBeUndefined();
      expect(allowing.denial('h', '10.21.0.1')).toBeDefined();
      expect(allowing.denial('h', '127.0.0.1')).toBeDefined();
    });

    it('re-opens a single address and an IPv6 range', () => {
      const allowing = new AddressPolicy(['127.0.0.1', 'fd00:1::/32']);

      expect(allowing.denial('h', '127.0.0.1')).toBeUndefined();
      expect(allowing.denial('h', '127.0.0.2')).toBeDefined();
      expect(allowing.denial('h', 'fd00:1::5')).toBeUndefined();
      expect(allowing.denial('h', 'fd00:2::5')).toBeDefined();
    });

    it('re-opens every address of an exact host name, case and trailing dot aside', () => {
      const allowing = new AddressPolicy(['Billing.Internal']);

      expect(allowing.denial('billing.internal.', '10.0.0.5')).toBeUndefined();
      expect(allowing.denial('other.internal', '10.0.0.5')).toBeDefined();
    });

    it('rejects entries it cannot read', () => {
      expect(() => new AddressPolicy(['10.0.0.0/40'])).toThrow(/prefix/);
      expect(() => new AddressPolicy(['not a host'])).toThrow(/neither a CIDR/);
    });
  });

  describe('vet', () => {
    const resolver =
      (answers: Record<string, string[]>): HostResolver =>
      async (hostname) => {
        const addresses = answers[hostname];
        if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
        return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      };

    it('denies a name that resolves only to private addresses', async () => {
      const result = await sut.vet('intranet.example', resolver({ 'intranet.example': ['192.168.0.10'] }));

      expect(result).toMatchObject({ ok: false, reason: 'denied' });
    });

    it('connects a name with public and private answers through a public one only', async () => {
      const result = await sut.vet('mixed.example', resolver({ 'mixed.example': ['127.0.0.1', '93.184.216.34'] }));

      expect(result).toEqual({ ok: true, hostname: 'mixed.example', address: { address: '93.184.216.34', family: 4 } });
    });

    it('judges an IP literal without resolving it', async () => {
      const resolve = jest.fn<ReturnType<HostResolver>, Parameters<HostResolver>>();

      expect(await sut.vet('[::ffff:127.0.0.1]', resolve)).toMatchObject({ ok: false, reason: 'denied' });
      expect(resolve).not.toHaveBeenCalled();
    });

    it('reports a name that does not resolve', async () => {
      expect(await sut.vet('nowhere.example', resolver({}))).toEqual({
        ok: false,
        reason: 'unresolvable',
        detail: 'nowhere.example could not be resolved (ENOTFOUND)',
      });
    });
  });
});
