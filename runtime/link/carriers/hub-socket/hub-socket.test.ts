import { runCarrierTests } from '../../../../test/carrier-acceptance.ts';
import type { TestHub } from '../../../../test/helpers/link-world.ts';
import { startTestHub, testDevice } from '../../../../test/helpers/link-world.ts';
import type { TcpRelay } from '../../../../test/helpers/tcp-relay.ts';
import { startTcpRelay } from '../../../../test/helpers/tcp-relay.ts';
import type { CarrierConnection } from '../../carrier.ts';
import { HubSocketCarrier } from './hub-socket-carrier.ts';
import type { WsConnection } from './ws-connection.ts';

// The real hub over real TLS sockets, through a TCP relay that can go silent (a cut) or kill
// the socket. The hub hands the raw authenticated connection to the suite instead of a session.
runCarrierTests('hub socket', async () => {
  const waiting: ((conn: CarrierConnection) => void)[] = [];
  const hub: TestHub = await startTestHub({ onConnection: (conn) => waiting.shift()?.(conn) });
  const relay: TcpRelay = await startTcpRelay(hub.hub.port);
  const kit = await testDevice();
  await hub.hub.enrolments.enroll({ device: kit.hex, identity: 'kit-01', role: 'kit' });
  const carrier = new HubSocketCarrier({
    url: `https://127.0.0.1:${relay.port}`,
    certPem: hub.tls.cert,
    signer: kit.signer,
    connectTimeoutMs: 5000,
  });
  return {
    async pair() {
      const far = new Promise<CarrierConnection>((resolve) => waiting.push(resolve));
      const near = await carrier.connect();
      return { near, far: await far };
    },
    cut: () => Promise.resolve(relay.cut()),
    heal: () => Promise.resolve(relay.heal()),
    kill: (near) => (near as WsConnection).kill(),
    async teardown() {
      await relay.close();
      await hub.stop();
    },
  };
});
