/// <reference lib="webworker" />
import { createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

// The console's shell, every chunk, the stylesheet and libsodium, injected at build time
// (injectManifest): with the hub down the console still opens, unlocks its keys and shows the
// last known queue from IndexedDB. A new version takes over when no console tab is open.
precacheAndRoute(self.__WB_MANIFEST);

// Any page the console opens is the cached shell; the hub's API is never cached here: the
// console keeps what it received in IndexedDB and says how old its view of the queue is.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));
