import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { boundariesPlugin } from '../scripts/eslint-boundaries.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Each folder boundary of ARCHITECTURE.md, proven to fail the lint that `npm test` runs: the
 * project's ESLint configuration must switch `fieldkit/boundaries` on as an error for a real file
 * of the folder, and that rule must report the file with one forbidden import added, and not with
 * an allowed one. (The rule is run without the type-aware rules, which would only add ~50 s of
 * TypeScript program loading to what this test proves.)
 */
const CASES: ReadonlyArray<{ file: string; forbidden: string; allowed: string }> = [
  {
    file: 'ble-devices/codecs/battery.ts',
    forbidden: "import { asDeviceId } from '../transport.ts';",
    allowed: "import { uuidKey } from './uuid.ts';",
  },
  {
    file: 'ble-devices/codecs/contec/frame-5byte.ts',
    forbidden: "import { z } from 'zod';",
    allowed: "import { CodecError } from '../errors.ts';",
  },
  {
    file: 'ble-devices/drivers/pulse-oximeter.ts',
    forbidden: "import { OpQueue } from '../transports/op-queue.ts';",
    allowed: "import { uuidKey } from '../codecs/uuid.ts';",
  },
  {
    file: 'ble-devices/drivers/gatt-driver.ts',
    forbidden: "import NodeBle from 'node-ble';",
    allowed: "import type { Transport } from '../transport.ts';",
  },
  {
    file: 'store/tables/visits.ts',
    forbidden: "import type { KitEvent } from '../../runtime/events.ts';",
    allowed: "import { keyOf } from '../engine/ids.ts';",
  },
  {
    file: 'store/tables/attachments.ts',
    forbidden: "import { Hono } from 'hono';",
    allowed: "import { z } from 'zod';",
  },
  {
    file: 'store/tables/outbox.ts',
    forbidden: "import { uuidKey } from '../../ble-devices/codecs/uuid.ts';",
    allowed: "import { KdfParams } from '../../crypto/kdf.ts';",
  },
  {
    file: 'crypto/keyring.ts',
    forbidden: "import { open } from 'lmdb';",
    allowed: "import { z } from 'zod';",
  },
  {
    file: 'crypto/key-header.ts',
    forbidden: "import { StoreError } from '../store/errors.ts';",
    allowed: "import { CryptoError } from './errors.ts';",
  },
  {
    file: 'pwa/tablet/app/state/live-model.ts',
    forbidden: "import { toWireObservation } from '../../../../runtime/http/wire.ts';",
    allowed: "import type { WireEvents } from '../../../../runtime/http/wire.ts';",
  },
  {
    // The console bundles the pure link formats, and nothing else of the kit's code.
    file: 'pwa/console/app/state.ts',
    forbidden: "import { LinkInbox } from '../../../runtime/link/link-inbox.ts';",
    allowed: "import { sealEnvelope } from '../../../crypto/envelope.ts';",
  },
  {
    // ...so those formats may not reach for Node (or anything but each other, zod, CBOR, libsodium).
    file: 'crypto/envelope.ts',
    forbidden: "import { createHash } from 'node:crypto';",
    allowed: "import { getSodium } from './wasm-sodium.ts';",
  },
  {
    file: 'runtime/http/app.ts',
    forbidden: "import { SimTransport } from '../../sim/transport/sim-transport.ts';",
    allowed: "import type { Transport } from '../../ble-devices/transport.ts';",
  },
  {
    file: 'runtime/cli/start-command.ts',
    forbidden: "const sim = await import('../../sim/instruments/pulse-oximeter.ts');",
    allowed: "const config = await import('../config.ts');",
  },
];

describe('folder boundaries as lint rules', () => {
  let project: ESLint;
  let boundariesOnly: ESLint;
  beforeAll(() => {
    project = new ESLint({ cwd: ROOT });
    boundariesOnly = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts', '**/*.tsx'],
          languageOptions: { parser: tseslint.parser },
          plugins: { fieldkit: boundariesPlugin },
          rules: { 'fieldkit/boundaries': 'error' },
        },
      ],
    });
  });

  async function boundaryMessages(file: string, extra: string): Promise<string[]> {
    const source = `${extra}\n${readFileSync(`${ROOT}${file}`, 'utf8')}`;
    const config = (await project.calculateConfigForFile(`${ROOT}${file}`)) as {
      rules?: Record<string, unknown>;
    };
    expect(config.rules?.['fieldkit/boundaries'], `${file}: boundaries rule off`).toEqual([2]);
    const [result] = await boundariesOnly.lintText(source, { filePath: `${ROOT}${file}` });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'fieldkit/boundaries').map((m) => m.message);
  }

  it.each(CASES)('$file: a forbidden import is reported, an allowed one is not', async (c) => {
    const refused = await boundaryMessages(c.file, c.forbidden);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/crosses a folder boundary/);
    expect(await boundaryMessages(c.file, c.allowed)).toEqual([]);
  });

  it('lets the composition root, the sim command and tests import sim/', async () => {
    const sim = "import { SimTransport } from '../sim/transport/sim-transport.ts';";
    expect(await boundaryMessages('runtime/sim-instruments.ts', sim)).toEqual([]);
    expect(
      await boundaryMessages('runtime/cli/sim-command.ts', sim.replace('../sim/', '../../sim/')),
    ).toEqual([]);
    expect(await boundaryMessages('test/kit-slice.test.ts', sim)).toEqual([]);
  });
});
