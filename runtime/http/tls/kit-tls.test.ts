import { connect, type PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { tempStores } from '../../../store/test-fixtures.ts';
import { createLogger } from '../../log.ts';
import { startServers } from '../server.ts';
import { KitTls } from './kit-tls.ts';

const temp = tempStores();
const fresh = () => temp.open();

function peerCertificate(port: number, ca: string, servername: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('KitTls while the kit runs', () => {
  it('issues a new leaf when an address appears and the running HTTPS server presents it to new connections', async () => {
    const store = await fresh();
    let addresses = [{ address: '10.1.2.3', family: 'IPv4', internal: false }];
    const tls = await KitTls.start({
      store,
      log: createLogger('silent'),
      hostname: () => 'kit',
      interfaces: () => ({ wlan0: addresses }) as never,
      checkEveryMs: 3_600_000,
    });
    const ok = new Response('ok');
    const servers = await startServers({
      host: '127.0.0.1',
      httpsPort: 0,
      httpPort: 0,
      tls: tls.material,
      httpsApp: { fetch: () => ok.clone() },
      httpApp: () => ({ fetch: () => ok.clone() }),
    });
    const off = tls.onRenew((m) => servers.setTls(m));
    try {
      const ca = tls.material.rootPem;
      const before = await peerCertificate(servers.httpsPort, ca, 'kit.local');
      expect(before.subjectaltname).toContain('IP Address:10.1.2.3');
      expect(await tls.check()).toEqual([]);

      addresses = [{ address: '192.168.7.40', family: 'IPv4', internal: false }];
      expect(await tls.check()).toEqual(['intermediate', 'leaf']);
      const after = await peerCertificate(servers.httpsPort, ca, 'kit.local');
      expect(after.subjectaltname).toContain('IP Address:192.168.7.40');
      expect(after.fingerprint256).not.toBe(before.fingerprint256);
      // The root the tablets installed did not change.
      expect(tls.material.rootPem).toBe(ca);
    } finally {
      off();
      await tls.stop();
      await servers.close();
    }
  });
});
