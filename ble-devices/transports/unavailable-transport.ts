import { TransportError, type DiscoveredDevice, type GattConnection, type Transport } from '../transport.ts';

/**
 * A transport that cannot work here (noble without kernel Bluetooth, BlueZ without a system
 * bus): every call fails with `unavailable` and the reason, so the kit keeps running and reports
 * the state instead of crashing on a library that throws at load.
 */
export class UnavailableTransport implements Transport {
  constructor(
    readonly kind: Transport['kind'],
    readonly reason: string,
  ) {}

  scan(): Promise<DiscoveredDevice[]> {
    return Promise.reject(new TransportError('unavailable', `${this.kind} unavailable: ${this.reason}`));
  }

  connect(): Promise<GattConnection> {
    return Promise.reject(new TransportError('unavailable', `${this.kind} unavailable: ${this.reason}`));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
