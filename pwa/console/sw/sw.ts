/// <reference lib="webworker" />
import { createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

// The console's shell, every chunk, the stylesheet and libsodium, injected at build time
// (injectManifest): with the hub down the console still opens, unlocks its keys and shows the
// last known queue from IndexedDB. A new version waits until the specialist takes it from the
// console's prompt (app/sw-update.ts posts SKIP_WAITING) or no console tab is open.
precacheAndRoute(self.__WB_MANIFEST);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

// Any page the console opens is the cached shell; the hub's API is never cached here: the
// console keeps what it received in IndexedDB and says how old its view of the queue is.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));
