/// <reference lib="webworker" />
import { createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

// The app shell, every screen's chunk and the stylesheet, injected at build time (injectManifest).
precacheAndRoute(self.__WB_MANIFEST);

// Any page the tablet opens (deep links to a visit included) is the cached shell; the API is
// never cached here: visits are kept in IndexedDB by the app, with their own truth about age.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));

// The app asks for the new version only when no visit is open (see app/sw-bridge.ts).
self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
