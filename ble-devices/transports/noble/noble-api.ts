/**
 * The part of @abandonware/noble's API the transport uses, as a narrow structural type: the
 * real module is checked against it at compile time (load-noble.ts), and tests can stand a
 * double in where no kernel Bluetooth exists. UUIDs are noble's: lower-case hex, no dashes.
 */

/** A characteristic as noble discovers it. */
export interface NobleCharacteristic {
  readonly uuid: string;
  readonly properties: string[];
  readAsync(): Promise<Buffer>;
  writeAsync(data: Buffer, withoutResponse: boolean): Promise<void>;
  subscribeAsync(): Promise<void>;
  unsubscribeAsync(): Promise<void>;
  on(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): unknown;
  removeListener(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): unknown;
}

/** A service with its characteristics (after discovery). */
export interface NobleService {
  readonly uuid: string;
  readonly characteristics: NobleCharacteristic[];
}

/** A peripheral seen in a scan. */
export interface NoblePeripheral {
  readonly id: string;
  readonly advertisement: { readonly localName: string; readonly serviceUuids: string[] };
  readonly rssi: number;
  readonly state: 'error' | 'connecting' | 'connected' | 'disconnecting' | 'disconnected';
  connectAsync(): Promise<void>;
  disconnectAsync(): Promise<void>;
  discoverAllServicesAndCharacteristicsAsync(): Promise<{ services: NobleService[] }>;
  once(event: 'disconnect', listener: (reason: string) => void): unknown;
  removeListener(event: 'disconnect', listener: (reason: string) => void): unknown;
}

/** The noble singleton. */
export interface NobleLike {
  /** 'unknown' | 'resetting' | 'unsupported' | 'unauthorized' | 'poweredOff' | 'poweredOn'. */
  readonly state: string;
  startScanningAsync(serviceUUIDs?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  on(event: 'stateChange', listener: (state: string) => void): unknown;
  on(event: 'discover', listener: (peripheral: NoblePeripheral) => void): unknown;
  removeListener(event: 'stateChange', listener: (state: string) => void): unknown;
  removeListener(event: 'discover', listener: (peripheral: NoblePeripheral) => void): unknown;
}
