import { createBridges } from '../../sim/net/bridge.ts';
import type { NetLink } from '../../sim/net/net-link.ts';
import type { TcpRelay } from './tcp-relay.ts';

/**
 * A {@link TcpRelay} whose bytes cross a simulated link (sim/net): the kit's connections enter
 * namespace `b`, cross the shaped, lossy veth to namespace `a` and reach `targetPort` on the root
 * loopback (where the hub listens). cut()/heal() are the link's silent cuts (both INPUT chains
 * drop everything); killAll() is not a radio event here and does nothing.
 */
export async function netnsRelay(link: NetLink, targetPort: number): Promise<TcpRelay> {
  const bridges = createBridges(link);
  const port = await bridges.across(targetPort, 'b');
  return {
    port,
    cut: () => void link.cut(),
    heal: () => void link.heal(),
    killAll: () => undefined,
    open: 1,
    close: () => bridges.close(),
  };
}
