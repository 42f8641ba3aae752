import type { Transport } from '../ble-devices/transport.ts';
import { UnavailableTransport } from '../ble-devices/transports/unavailable-transport.ts';
import type { Logger } from './log.ts';

/** The radio stacks `fieldkit start --ble` can use for real instruments. */
export type HardwareBle = 'bluez' | 'noble';

/** A transport for real instruments, and a line for the start banner. */
export interface HardwareTransport {
  readonly transport: Transport;
  readonly via: string;
}

/** Where the noble transport lives once it lands (loaded by path so this file builds without it). */
const NOBLE_MODULE = '../ble-devices/transports/noble/index.ts';

/**
 * Opens the chosen stack, lazily: node-ble for BlueZ over the system D-Bus, or noble. Neither
 * failing to load nor an unreachable stack stops the kit: the transport then reports
 * `unavailable` with the reason, the log and the banner say so, and the kit keeps serving what
 * is already stored.
 */
export async function openHardwareTransport(kind: HardwareBle, log: Logger): Promise<HardwareTransport> {
  if (kind === 'bluez') {
    const { NodeBleTransport } = await import('../ble-devices/transports/node-ble/index.ts');
    const transport = new NodeBleTransport({
      onNote: (event, detail) => log.warn({ event, detail }, 'BlueZ'),
    });
    const probe = await transport.probe();
    if (probe.ok) {
      log.info({ bus: transport.busAddress }, 'BlueZ reached over the system D-Bus');
      return { transport, via: `BlueZ through node-ble (${transport.busAddress})` };
    }
    log.error({ reason: probe.reason }, 'BlueZ unavailable: no BLE instruments until it is reachable');
    return { transport, via: `BlueZ, unavailable: ${probe.reason}` };
  }
  try {
    const mod = (await import(NOBLE_MODULE)) as {
      createNobleTransport?: () => Promise<Transport> | Transport;
    };
    if (typeof mod.createNobleTransport !== 'function')
      throw new Error('the noble transport exports no createNobleTransport');
    const transport = await mod.createNobleTransport();
    return { transport, via: 'noble' };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    log.error({ reason }, 'noble unavailable: no BLE instruments');
    return { transport: new UnavailableTransport('noble', reason), via: `noble, unavailable: ${reason}` };
  }
}
