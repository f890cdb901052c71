import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has; rejects when it has none. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The outcome of checking an outbound target: the one address to connect to, or why there is none. */
export type VettedTarget =
  | { readonly ok: true; readonly hostname: string; readonly address: ResolvedAddress }
  | { readonly ok: false; readonly reason: 'denied' | 'unresolvable'; readonly detail: string };

/**
 * Ranges IANA's special-purpose registries mark as not globally reachable, plus multicast: the
 * places a request forged through a connector (SSRF) would be aimed at — loopback, private
 * networks, link-local (169.254.169.254 is the cloud metadata service), carrier-grade NAT.
 */
export const DENIED_RANGES: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible forms (::a.b.c.d).
  '::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/32',
  '2001:2::/48',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

const DENIED = blockListOf(DENIED_RANGES);

/**
 * Decides which addresses a connector may open connections to. Everything outside DENIED_RANGES
 * is allowed; the connector's allow-list re-opens parts of them, by CIDR (`10.20.0.0/16`), single
 * address, or exact host name (`billing.internal`, for services on a private network).
 *
 * Checks run on resolved addresses, never on the name in a URL, and IPv6 forms that carry an
 * IPv4 address (`::ffff:127.0.0.1`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the IPv4
 * address inside, so no spelling of a denied address gets through.
 */
export class AddressPolicy {
  private readonly allowedRanges: BlockList;
  private readonly allowedHosts: ReadonlySet<string>;

  /** Throws on an allow-list entry that is neither a CIDR, an address nor a host name. */
  constructor(allowList: readonly string[] = []) {
    const ranges: string[] = [];
    const hosts = new Set<string>();
    for (const entry of allowList) {
      const text = entry.trim();
      if (text.includes('/') || isIP(stripBrackets(text)) !== 0) ranges.push(text);
      else if (/^[a-z0-9.-]+$/i.test(text) && text !== '') hosts.add(normaliseHostname(text));
      else throw new Error(`allow-list entry "${entry}" is neither a CIDR, an IP address nor a host name`);
    }
    this.allowedRanges = blockListOf(ranges);
    this.allowedHosts = hosts;
  }

  /** Why `hostname` may not be reached at `address`, or undefined when it may. */
  denial(hostname: string, address: string): string | undefined {
    if (this.allowedHosts.has(normaliseHostname(hostname))) return undefined;
    const family = isIP(address);
    if (family === 0) return `"${address}" is not an IP address`;
    const forms: { address: string; type: 'ipv4' | 'ipv6' }[] = [{ address, type: family === 6 ? 'ipv6' : 'ipv4' }];
    const embedded = family === 6 ? embeddedIpv4(address) : undefined;
    if (embedded) forms.push({ address: embedded, type: 'ipv4' });
    const denied = forms.find((form) => DENIED.check(form.address, form.type));
    if (!denied) return undefined;
    if (forms.some((form) => this.allowedRanges.check(form.address, form.type))) return undefined;
    const shown = embedded ? `${address} (${embedded})` : address;
    return (
      `${hostname} resolves to ${shown}, a loopback, private, link-local or reserved address that is not on this connector's ` +
      `allow-list`
    );
  }

  /**
   * Resolves `hostname` once and picks the first address the policy permits. The caller must
   * connect to exactly that address: resolving again at connect time would let a DNS answer
   * that changed in between (rebinding) reach an address nobody checked.
   */
  async vet(hostname: string, resolve: HostResolver = resolveAll): Promise<VettedTarget> {
    const name = normaliseHostname(hostname);
    let addresses: readonly ResolvedAddress[];
    const literal = isIP(name);
    if (literal !== 0) {
      addresses = [{ address: name, family: literal as 4 | 6 }];
    } else {
      try {
        addresses = await resolve(name);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
        return { ok: false, reason: 'unresolvable', detail: `${name} could not be resolved (${code})` };
      }
      if (addresses.length === 0) return { ok: false, reason: 'unresolvable', detail: `${name} has no addresses` };
    }
    // A name with both public and private answers is served through its permitted ones only.
    const denials: string[] = [];
    for (const candidate of addresses) {
      const denial = this.denial(name, candidate.address);
      if (denial === undefined) return { ok: true, hostname: name, address: candidate };
      denials.push(denial);
    }
    return { ok: false, reason: 'denied', detail: denials[0]! };
  }
}

/** The system resolver (getaddrinfo, so /etc/hosts counts), every address in its order. */
export async function resolveAll(hostname: string): Promise<readonly ResolvedAddress[]> {
  const answers = await lookup(hostname, { all: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
}

function blockListOf(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [rawAddress, rawPrefix] = range.split('/');
    const address = stripBrackets(rawAddress ?? '');
    const family = isIP(address);
    if (family === 0) throw new Error(`allow-list entry "${range}" is not a CIDR or IP address`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (rawPrefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(rawPrefix);
    if (!/^\d+$/.test(rawPrefix) || prefix > (family === 6 ? 128 : 32))
      throw new Error(`allow-list entry "${range}" has an invalid prefix length`);
    list.addSubnet(address, prefix, type);
  }
  return list;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Lower case, no brackets, no trailing dot: `Example.COM.` and `example.com` are one host. */
function normaliseHostname(hostname: string): string {
  return stripBrackets(hostname.trim()).toLowerCase().replace(/\.$/, '');
}

/** The IPv4 address an IPv6 address carries by a standard mapping, if it carries one. */
function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (!groups) return undefined;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  const dotted = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (SIIT translated).
  if (zeros(0, 5) && groups[5] === 0xffff) return dotted(groups[6]!, groups[7]!);
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return dotted(groups[6]!, groups[7]!);
  // 64:ff9b::a.b.c.d, the NAT64 well-known prefix: a gateway would forward to the IPv4 address.
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return dotted(groups[6]!, groups[7]!);
  // 2002:AABB:CCDD::/48, 6to4: the relay tunnels to AA.BB.CC.DD.
  if (groups[0] === 0x2002) return dotted(groups[1]!, groups[2]!);
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0]!;
  if (isIP(text) !== 6) return undefined;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const octets = tail.split('.').map(Number);
    const high = ((octets[0]! << 8) | octets[1]!).toString(16);
    const low = ((octets[2]! << 8) | octets[3]!).toString(16);
    text = `${text.slice(0, lastColon + 1)}${high}:${low}`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...fill, ...tailGroups].map((group) => parseInt(group, 16));
  return groups.length === 8 ? groups : undefined;
}
