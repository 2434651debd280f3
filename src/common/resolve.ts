import { lookup } from 'node:dns/promises'

/**
 * How host names become addresses. Like the clock, injected: production asks the system
 * resolver; tests give a name the addresses a case needs (a public one, then a private one).
 */
export interface ResolvedAddress {
  address: string
  family: number
}

export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>

export const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true, verbatim: true })
