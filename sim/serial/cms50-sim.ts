import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimCms50Device, type SimCms50Options } from './cms50-device.ts';
import { openPtyPair, type PtyPair } from './pty-pair.ts';

/** Where and under which name the simulated cable appears. */
export interface Cms50SimPlacement {
  /** Folder of the kit-side link (give a by-id-like folder to test hotplug). */
  readonly dir: string;
  /**
   * File name of the kit-side link. The default looks like the /dev/serial/by-id entry of a
   * CP2102 cable, so fingerprinting by name sees a Silicon Labs bridge.
   */
  readonly name?: string;
}

/** The by-id style name of a simulated CP2102 cable with serial number `serial`. */
export function cp2102ById(serial: string): string {
  return `usb-Silicon_Labs_CP2102_USB_to_UART_Bridge_Controller_${serial}-if00-port0`;
}

/**
 * A simulated CMS50 on a real pty pair: `kitPath` is what the kit opens (by path: serialport's
 * list() never shows pty links). The cable can be pulled (socat killed: the kit's open port gets
 * a hangup and the link vanishes) and plugged in again (a new pair under the same name, a
 * different /dev/pts number, as a replugged USB adapter gets).
 */
export class Cms50Sim {
  #pair: PtyPair | null = null;
  #device: SimCms50Device | null = null;
  readonly #deviceDir = mkdtempSync(join(tmpdir(), 'fieldkit-cms50-'));
  readonly kitPath: string;

  private constructor(
    readonly options: SimCms50Options,
    placement: Cms50SimPlacement,
  ) {
    this.kitPath = join(placement.dir, placement.name ?? cp2102ById('SIM0001'));
  }

  /** Makes the pty pair and starts the device on it. */
  static async start(options: SimCms50Options, placement: Cms50SimPlacement): Promise<Cms50Sim> {
    const sim = new Cms50Sim(options, placement);
    await sim.plugIn();
    return sim;
  }

  /** The device on the cable now (a new one after each plug-in; null while pulled). */
  get device(): SimCms50Device | null {
    return this.#device;
  }

  get pluggedIn(): boolean {
    return this.#pair !== null;
  }

  /** Connects the cable: a fresh pty pair and device. */
  async plugIn(): Promise<void> {
    if (this.#pair) return;
    const pair = await openPtyPair(this.kitPath, join(this.#deviceDir, 'device'));
    const device = new SimCms50Device(pair.devicePath, pair.kitPath, this.options);
    try {
      await device.start();
    } catch (err) {
      await pair.close();
      throw err;
    }
    this.#pair = pair;
    this.#device = device;
  }

  /** Pulls the cable: the device stops and both ptys disappear. */
  async pullCable(): Promise<void> {
    const pair = this.#pair;
    const device = this.#device;
    this.#pair = null;
    this.#device = null;
    await pair?.close();
    await device?.stop();
  }

  /** Pulls the cable and removes the simulator's private folder. */
  async stop(): Promise<void> {
    await this.pullCable();
    rmSync(this.#deviceDir, { recursive: true, force: true });
  }
}
