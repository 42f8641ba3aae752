import type { AppState } from './state/app-state.ts';

/**
 * Registers the service worker, says "ready to work offline" once the first install is active,
 * and applies updates only at a safe moment: a new version waits (SKIP_WAITING is asked for)
 * until no visit is open on this tablet, then the page reloads into it.
 */
export function watchServiceWorker(app: AppState): void {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  const hadController = sw.controller !== null;

  const applyWhenSafe = (worker: ServiceWorker) => {
    app.worker.update((w) => ({ ...w, updateWaiting: true }));
    const tryApply = () => {
      if (app.route.value.name === 'visit' || app.route.value.name === 'consult') return false;
      worker.postMessage({ type: 'SKIP_WAITING' });
      return true;
    };
    if (!tryApply()) {
      const off = app.route.subscribe(() => tryApply() && off());
    }
  };
  const track = (worker: ServiceWorker) => {
    const check = () => {
      if (worker.state === 'installed' && hadController) applyWhenSafe(worker);
    };
    check();
    worker.addEventListener('statechange', check);
  };

  void sw
    .register('/sw.js')
    .then((reg: ServiceWorkerRegistration | undefined) => {
      // Undefined where registration is blocked (an enterprise policy, a test harness).
      if (!reg) return;
      if (reg.waiting && hadController) applyWhenSafe(reg.waiting);
      if (reg.installing) track(reg.installing);
      reg.addEventListener('updatefound', () => reg.installing && track(reg.installing));
      if (!hadController) void sw.ready.then(() => app.worker.update((w) => ({ ...w, offlineReady: true })));
    })
    .catch(() => undefined);

  let reloading = false;
  sw.addEventListener('controllerchange', () => {
    if (hadController && !reloading) {
      reloading = true;
      location.reload();
    }
  });
}
