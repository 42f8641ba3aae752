/**
 * What the export knows about one instrument: its transport address (the provenance's device
 * id), and the Device Information strings where the kit read them. Built from the readings'
 * provenance, and from the remembered instrument where the store has one.
 */
export interface InstrumentFacts {
  /** The transport's device id (BLE address, serial port, sim id), as in each reading's provenance. */
  readonly deviceId: string;
  readonly name?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly serial?: string;
  readonly firmware?: string;
  /** A codec name of its readings: tells what kind of instrument it is. */
  readonly codec?: string;
}

/** Merges what two sources know (the first wins where both know a field). */
export function mergeFacts(a: InstrumentFacts, b: InstrumentFacts): InstrumentFacts {
  return {
    deviceId: a.deviceId,
    name: a.name ?? b.name,
    manufacturer: a.manufacturer ?? b.manufacturer,
    model: a.model ?? b.model,
    serial: a.serial ?? b.serial,
    firmware: a.firmware ?? b.firmware,
    codec: a.codec ?? b.codec,
  };
}
