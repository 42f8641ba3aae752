// @ts-check
/**
 * The folder boundaries of ../shared/ARCHITECTURE.md as one ESLint rule (`fieldkit/boundaries`),
 * so `npm test` (which runs `eslint .`) fails when a forbidden import appears instead of the
 * boundary holding only because someone remembered it. Each boundary is data below; the rule
 * resolves every static import, re-export and literal `import()` of a file to a project path (or a
 * package name) and checks it against the boundaries that apply to that file.
 *
 * Tests and test support (`*.test.ts`, test/, bench/, `testing/` folders, `testing.ts`,
 * `test-fixtures.ts`) cross folders on purpose and are exempt.
 */
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {{ kind: 'file', path: string } | { kind: 'package', name: string }} Target
 * @typedef {{
 *   name: string,
 *   applies: (file: string) => boolean,
 *   refuses: (target: Target, typeOnly: boolean) => boolean,
 *   why: string,
 * }} Boundary
 */

/** @param {Target} t @param {string[]} prefixes */
const fileUnder = (t, prefixes) =>
  t.kind === 'file' && prefixes.some((p) => t.path === p || t.path.startsWith(p));
/** @param {Target} t @param {string[]} names */
const packageIn = (t, names) =>
  t.kind === 'package' &&
  names.some((n) => (n.endsWith('/*') ? t.name.startsWith(n.slice(0, -1)) : t.name === n));

/** The composition root and the `sim` command: the only production files that may import sim/. */
export const SIM_IMPORTERS = [
  'runtime/kit.ts',
  'runtime/sim-instruments.ts',
  // The local hub and simulated specialist a simulated kit links to (loaded lazily by `start`).
  'runtime/sim-link.ts',
  // The explicit exception: `fieldkit sim` runs one simulator for a developer, on request.
  'runtime/cli/sim-command.ts',
  // `fieldkit sim bluez`: the sim command's simulated-BlueZ subcommand, loaded by sim-command.ts on request.
  'runtime/cli/sim-bluez-command.ts',
  // `fieldkit sim cms50`: the sim command's pty subcommand, loaded by sim-command.ts on request.
  'runtime/cli/sim-cms50.ts',
  // `fieldkit sim net`: the sim command's shaped-link subcommand (namespaces), loaded on request.
  'runtime/cli/sim-net-command.ts',
];

/**
 * The pure link formats a browser runs too (the specialist console opens and seals envelopes,
 * signs items and speaks the link frames itself): libsodium (wasm), CBOR and zod only. pwa/ may
 * import these files, and they may import nothing else, so no Node-only module can creep into the
 * console's bundle through them.
 */
export const BROWSER_SAFE = [
  'crypto/bytes.ts',
  'crypto/wire-cbor.ts',
  'crypto/wasm-sodium.ts',
  'crypto/link-error.ts',
  'crypto/signed-item.ts',
  'crypto/envelope.ts',
  'crypto/receipt.ts',
  'crypto/directory.ts',
  'crypto/enrol-check.ts',
  'runtime/link/bitset.ts',
  'runtime/link/frames.ts',
  'runtime/link/reject.ts',
  'runtime/link/items.ts',
  'runtime/link/carriers/hub-socket/hub-wire.ts',
  'runtime/link/carriers/webrtc/signal-protocol.ts',
  'runtime/link/carriers/webrtc/fragments.ts',
  'runtime/link/live/live-wire.ts',
  'runtime/link/live/call-wire.ts',
  'runtime/link/live/call-policy.ts',
  'runtime/link/live/probe-meter.ts',
];
/** Packages the browser-safe files may use. */
const BROWSER_SAFE_PACKAGES = ['zod', 'cbor-x', 'libsodium-wrappers-sumo'];

/** @type {Boundary[]} */
export const BOUNDARIES = [
  {
    name: 'codecs',
    applies: (f) => f.startsWith('ble-devices/codecs/'),
    refuses: (t) => !fileUnder(t, ['ble-devices/codecs/']),
    why: 'ble-devices/codecs imports only ble-devices/codecs (pure: bytes in, typed values out)',
  },
  {
    name: 'drivers',
    applies: (f) => f.startsWith('ble-devices/drivers/'),
    refuses: (t) =>
      !fileUnder(t, [
        'ble-devices/drivers/',
        'ble-devices/transport.ts',
        'ble-devices/codecs/',
        'ble-devices/observations/',
      ]),
    why: 'drivers import only ble-devices/transport.ts, codecs and observation mappers (never a concrete transport)',
  },
  {
    name: 'store',
    applies: (f) => f.startsWith('store/'),
    refuses: (t) => fileUnder(t, ['ble-devices/', 'runtime/']) || packageIn(t, ['hono', '@hono/*']),
    why: 'store/ knows nothing of instruments or HTTP: no ble-devices/, runtime/ or hono',
  },
  {
    name: 'crypto',
    applies: (f) => f.startsWith('crypto/'),
    refuses: (t) => fileUnder(t, ['store/']) || packageIn(t, ['lmdb']),
    why: 'crypto/ knows nothing of the store: no store/ and no lmdb',
  },
  {
    name: 'pwa',
    applies: (f) => f.startsWith('pwa/'),
    refuses: (t, typeOnly) =>
      !typeOnly && fileUnder(t, ['runtime/', 'store/', 'crypto/', 'sim/']) && !fileUnder(t, BROWSER_SAFE),
    why: 'pwa/ shares only types with the kit (`import type` from runtime/), plus the pure link formats of BROWSER_SAFE; server code never enters the browser bundle',
  },
  {
    name: 'browser-safe',
    applies: (f) => BROWSER_SAFE.includes(f),
    refuses: (t, typeOnly) =>
      !typeOnly &&
      (t.kind === 'package' ? !packageIn(t, BROWSER_SAFE_PACKAGES) : !fileUnder(t, BROWSER_SAFE)),
    why: `the browser-safe link formats (${BROWSER_SAFE.join(', ')}) import only each other and ${BROWSER_SAFE_PACKAGES.join(', ')}: the console bundles them`,
  },
  {
    name: 'sim',
    applies: (f) => !f.startsWith('sim/') && !SIM_IMPORTERS.includes(f),
    refuses: (t) => fileUnder(t, ['sim/']),
    why: `sim/ is imported only by the composition root and the sim command (${SIM_IMPORTERS.join(', ')}) and by tests`,
  },
];

/** Tests and their support code cross folders on purpose. @param {string} file */
export function isTestCode(file) {
  return (
    /\.test\.tsx?$/.test(file) ||
    file.startsWith('test/') ||
    file.startsWith('bench/') ||
    /(^|\/)testing\//.test(file) ||
    /(^|\/)(testing|test-fixtures)\.ts$/.test(file)
  );
}

/** @param {string} file project-relative importer @param {string} spec @returns {Target} */
function targetOf(file, spec) {
  if (spec.startsWith('.')) {
    return {
      kind: 'file',
      path: relative(ROOT, join(ROOT, dirname(file), spec))
        .split(sep)
        .join('/'),
    };
  }
  const parts = spec.split('/');
  return { kind: 'package', name: spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec) };
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Folder boundaries of ARCHITECTURE.md (who may import what)' },
    schema: [],
    messages: { refused: "'{{spec}}' crosses a folder boundary: {{why}}." },
  },
  create(context) {
    const file = relative(ROOT, context.filename).split(sep).join('/');
    if (file.startsWith('..') || isTestCode(file)) return {};
    const applying = BOUNDARIES.filter((b) => b.applies(file));
    if (applying.length === 0) return {};
    /** @param {any} node @param {any} source @param {boolean} typeOnly */
    const check = (node, source, typeOnly) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const target = targetOf(file, source.value);
      for (const b of applying) {
        if (b.refuses(target, typeOnly)) {
          context.report({ node, messageId: 'refused', data: { spec: source.value, why: b.why } });
          return;
        }
      }
    };
    return {
      /** @param {any} node */
      ImportDeclaration(node) {
        const typeOnly =
          node.importKind === 'type' ||
          (node.specifiers.length > 0 &&
            node.specifiers.every((/** @type {any} */ s) => s.importKind === 'type'));
        check(node, node.source, typeOnly);
      },
      /** @param {any} node */
      ExportNamedDeclaration(node) {
        check(node, node.source, node.exportKind === 'type');
      },
      /** @param {any} node */
      ExportAllDeclaration(node) {
        check(node, node.source, node.exportKind === 'type');
      },
      /** @param {any} node */
      ImportExpression(node) {
        check(node, node.source, false);
      },
    };
  },
};

/** The local plugin: `plugins: { fieldkit: boundariesPlugin }`, rule `fieldkit/boundaries`. */
export const boundariesPlugin = { rules: { boundaries: rule } };
