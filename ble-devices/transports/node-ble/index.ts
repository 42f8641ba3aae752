/**
 * The BlueZ transport's entry point, imported lazily (`await import(...)`) by the composition
 * root only when `--ble bluez` (or the simulated BlueZ) is chosen.
 */
export {
  NodeBleTransport,
  type NodeBleTimeouts,
  type NodeBleTransportOptions,
} from './node-ble-transport.ts';
