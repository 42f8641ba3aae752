import { describe, expect, it } from 'vitest';
import { filesContaining } from '../../test/helpers/data-dir.ts';
import { rebuildIndex } from '../integrity/reindex.ts';
import { contextOf } from '../record-store.ts';
import { tempStores } from '../test-fixtures.ts';

const temp = tempStores();
const fresh = () => temp.open();

describe('tablets: pairing codes and tokens', () => {
  it('redeems a code once for a token bound to the role and the device name', async () => {
    const s = await fresh();
    const { code, tablet: pending } = await s.createPairingCode({ role: 'doctor', createdBy: 'test' });
    expect(code).toMatch(/^\d{8}$/);
    expect(pending.status).toBe('pending');
    const first = await s.redeemPairingCode(code, 'Планшет врача');
    if (!first.ok) throw new Error(first.reason);
    expect(first.token).toMatch(/^fkt_[A-Za-z0-9_-]{43}$/);
    expect(first.tablet).toMatchObject({
      id: pending.id,
      role: 'doctor',
      name: 'Планшет врача',
      status: 'active',
    });
    expect(await s.redeemPairingCode(code, 'second')).toEqual({ ok: false, reason: 'unknown_code' });
    expect(s.tabletByToken(first.token)?.id).toBe(pending.id);
    expect(s.tabletByToken(`${first.token.slice(0, -1)}A`)).toBeUndefined();
    expect(s.tabletByToken(code)).toBeUndefined();
  });

  it('lets exactly one of two racing redemptions of one code win', async () => {
    const s = await fresh();
    const { code } = await s.createPairingCode({ role: 'feldsher', createdBy: 'test' });
    const results = await Promise.all([s.redeemPairingCode(code, 'a'), s.redeemPairingCode(code, 'b')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('refuses an expired code and a revoked (cancelled) one', async () => {
    const s = await fresh();
    const { code } = await s.createPairingCode({ role: 'feldsher', createdBy: 'test', ttlMs: 1000 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await s.redeemPairingCode(code, 'late')).toEqual({ ok: false, reason: 'expired' });
    const other = await s.createPairingCode({ role: 'feldsher', createdBy: 'test' });
    await s.revokeTablet(other.tablet.id);
    expect((await s.redeemPairingCode(other.code, 'x')).ok).toBe(false);
  });

  it('revokes a token, lists every tablet, audits pairing and revocation, and keeps no code or token on disk', async () => {
    const s = await fresh();
    const { code } = await s.createPairingCode({ role: 'coordinator', createdBy: 'test', label: 'старший' });
    const paired = await s.redeemPairingCode(code, undefined);
    if (!paired.ok) throw new Error(paired.reason);
    expect(paired.tablet.name).toBe('старший');
    const revoked = await s.revokeTablet(paired.tablet.id);
    expect(revoked.status).toBe('revoked');
    expect(s.tabletByToken(paired.token)?.status).toBe('revoked');
    expect((await s.revokeTablet(paired.tablet.id)).revokedAt).toBe(revoked.revokedAt);
    const list = await s.listTablets();
    expect(list.map((t) => [t.id, t.status])).toEqual([[paired.tablet.id, 'revoked']]);
    expect(JSON.stringify(list)).not.toMatch(/Hash/);
    const audit = await s.readAudit();
    expect(audit.filter((e) => e.table === 'tablets').map((e) => e.action)).toEqual([
      'create',
      'update',
      'update',
      'read',
    ]);
    const dir = s.path;
    await s.close();
    expect(filesContaining(dir, paired.token)).toEqual([]);
    expect(filesContaining(dir, code)).toEqual([]);
    expect(filesContaining(dir, 'старший')).toEqual([]);
  });

  it('passes the store check with tablets paired, and a token and a code still work after an index rebuild', async () => {
    const s = await fresh();
    const paired = await s.redeemPairingCode(
      (await s.createPairingCode({ role: 'doctor', createdBy: 'test' })).code,
      'a',
    );
    if (!paired.ok) throw new Error(paired.reason);
    const { code } = await s.createPairingCode({ role: 'feldsher', createdBy: 'test' });
    const before = await s.check();
    expect(before.danglingPostings.count).toBe(0);
    expect(before.ok).toBe(true);
    const ctx = contextOf(s);
    await ctx.batcher.enqueue(() => rebuildIndex(ctx));
    expect(s.tabletByToken(paired.token)?.id).toBe(paired.tablet.id);
    expect((await s.redeemPairingCode(code, 'b')).ok).toBe(true);
  });
});
