import ipaddr from 'ipaddr.js'
import { isIP } from 'node:net'
import type { Resolve, ResolvedAddress } from '../common/resolve.ts'

/**
 * Server-side request forgery guard of outgoing webhooks. An endpoint may point only at public
 * unicast addresses over https: never loopback, private (RFC 1918, unique local), link-local
 * (the cloud metadata service at 169.254.169.254 among them), carrier-grade NAT, multicast or
 * reserved ranges, nor an IPv4 address hidden in IPv6. The check runs when the endpoint is saved
 * and again on the address each connection actually uses, so a name that later resolves
 * elsewhere (DNS rebinding) is refused too. `allowPrivate` (development only) lifts it, and
 * allows http.
 */

/** Why an address is not one we send to, or null when it is. */
export function forbiddenAddress(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address'
  let parsed = ipaddr.parse(address)
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address()
  const range = parsed.range()
  return range === 'unicast' ? null : `${address} is a ${range} address`
}

export type UrlCheck = { ok: true; url: URL; hostname: string } | { ok: false; reason: string }

/** The shape of an endpoint URL: https (http only when private addresses are allowed), no credentials. */
export function checkUrlShape(raw: string, allowPrivate: boolean): UrlCheck {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, reason: 'not an absolute URL' }
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return { ok: false, reason: 'the URL must use https' }
  if (url.username || url.password) return { ok: false, reason: 'the URL must not carry credentials' }
  if (url.hash) return { ok: false, reason: 'the URL must not have a fragment' }
  const hostname = url.hostname.replace(/^\[|\]$/g, '')
  if (!hostname) return { ok: false, reason: 'the URL has no host' }
  return { ok: true, url, hostname }
}

/**
 * The addresses a host name stands for, every one of them allowed; throws with the reason when
 * any is not (a name with one private address among public ones is refused: we cannot choose
 * which one a connection will use).
 */
export async function allowedAddresses(hostname: string, resolve: Resolve, allowPrivate: boolean): Promise<ResolvedAddress[]> {
  const family = isIP(hostname)
  const addresses = family ? [{ address: hostname, family }] : await resolve(hostname)
  if (addresses.length === 0) throw new AddressRefused(`${hostname} does not resolve`, true)
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const reason = forbiddenAddress(address)
      if (reason) throw new AddressRefused(family ? reason : `${hostname} resolves to ${reason.replace(/^\S+ is /, `${address}, `)}`)
    }
  }
  return addresses
}

export class AddressRefused extends Error {
  override name = 'AddressRefused'

  /** `unresolvable`: the name stands for no address at all (rather than for one we refuse). */
  constructor(
    message: string,
    readonly unresolvable = false,
  ) {
    super(message)
  }
}
