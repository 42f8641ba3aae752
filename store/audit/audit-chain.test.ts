import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../cbor.ts';
import { AuditAction } from '../schema/audit-entry.ts';
import type { AuditBody } from '../schema/audit-entry.ts';
import { encodeAuditEntry } from './audit-chain.ts';

const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 300 }));
const body: fc.Arbitrary<AuditBody> = fc.record({
  seq: fc.oneof(fc.nat(30), fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  at: text,
  actor: text,
  action: fc.constantFrom(...AuditAction.options),
  table: text,
  recordIds: fc.oneof(
    fc.array(text, { maxLength: 30 }),
    // A commit's worth of observation ids (past the 8- and 16-bit array headers).
    fc
      .integer({ min: 250, max: 70_000 })
      .map((n) => Array.from({ length: n }, (_, i) => `o-${i.toString(16).padStart(16, '0')}`)),
  ),
  prev: fc.uint8Array({ minLength: 32, maxLength: 32 }),
});

describe('audit entry encodings', () => {
  it('are byte for byte the encoder output of the stored body and of the canonical array', () => {
    fc.assert(
      fc.property(body, (b) => {
        const { stored, canonical } = encodeAuditEntry(b);
        const whole = {
          seq: b.seq,
          at: b.at,
          actor: b.actor,
          action: b.action,
          table: b.table,
          recordIds: b.recordIds,
          prev: b.prev,
        };
        expect(stored.equals(Buffer.from(encodeCbor(whole)))).toBe(true);
        const array = [b.seq, b.at, b.actor, b.action, b.table, b.recordIds, b.prev];
        expect(canonical.equals(Buffer.from(encodeCbor(array)))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
