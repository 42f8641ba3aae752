import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CMS50_LINE, CMS50_SERIAL, cms50LinkInfo } from '../../codecs/contec/cms50-link.ts';
import { asDeviceId } from '../../transport.ts';
import { runTransportTests, type TransportFixture } from '../../../test/transport-acceptance.ts';
import { Cms50Sim } from '../../../sim/serial/cms50-sim.ts';
import type { Cms50Protocol } from '../../../sim/serial/cms50-device.ts';
import { SerialTransport } from './serial-transport.ts';

// Real ptys: socat makes the pair, the simulated CMS50 writes spec-exact frames on one end and
// the transport opens the other by path, through serialport's native binding.

/** Tagged frames carry the suite's sequence number where the simulator's own stream never puts one. */
function tagOf(protocol: Cms50Protocol) {
  return (v: Uint8Array): number | undefined => {
    if (protocol === 'v7')
      return v.length === 9 && v[0] === 1 && (v[7]! & 0x7f) === 0x55 ? v[8]! & 0x7f : undefined;
    return v.length === 5 && (v[0]! & 0x7f) === 0x7f && (v[2]! & 0x30) === 0x30 ? v[1] : undefined;
  };
}

async function fixture(protocol: Cms50Protocol): Promise<TransportFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'fk-serial-'));
  const sim = await Cms50Sim.start({ protocol, seed: 3 }, { dir });
  const generation = protocol === 'v7' ? '9byte' : '5byte';
  // The fixture's own generation first: trying the other one first is covered in serial-cms50.test.ts.
  const transport = new SerialTransport({
    paths: [sim.kitPath],
    generations: [generation, generation === '9byte' ? '5byte' : '9byte'],
  });
  return {
    transport,
    deviceId: asDeviceId(sim.kitPath),
    service: CMS50_SERIAL.service,
    readChar: CMS50_SERIAL.link,
    readValue: cms50LinkInfo.encode({
      generation,
      ...CMS50_LINE[generation],
      usbVendorId: 0,
      usbProductId: 0,
    }),
    notifyChar: CMS50_SERIAL.frames,
    valueTag: tagOf(protocol),
    notify: (bytes) => {
      const tag = bytes[0]!;
      if (protocol === 'v7') sim.device?.sendFrame({ tail: [0x55, tag] });
      else
        sim.device?.sendFrame({
          signalStrength: 15,
          fingerOut: true,
          droppingSpo2: true,
          beep: true,
          probeError: true,
          searching: true,
          pleth: tag,
        });
    },
    dropLink: () => void sim.pullCable(),
    teardown: async () => {
      await transport.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

runTransportTests('serial: CMS50 v7 (9-byte, 115200) on a socat pty', () => fixture('v7'));
runTransportTests('serial: CMS50 5-byte (19200 8O1) on a socat pty', () => fixture('5byte'));
