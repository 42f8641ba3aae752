import type { AppState } from './state/app-state.ts';

/**
 * Registers the service worker and applies updates only at a safe moment: a new version waits
 * (SKIP_WAITING is asked for) until no visit is open on this tablet, then the page reloads.
 */
export function watchServiceWorker(app: AppState): void {
  if (!('serviceWorker' in navigator)) return;
  const hadController = navigator.serviceWorker.controller !== null;
  void navigator.serviceWorker.register('/sw.js').then((reg: ServiceWorkerRegistration | undefined) => {
    // Undefined where registration is blocked (an enterprise policy, a test harness).
    if (!reg) return;
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
    if (reg.waiting && hadController) applyWhenSafe(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const worker = reg.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && hadController) applyWhenSafe(worker);
        if (worker.state === 'activated' && !hadController)
          document.documentElement.dataset.offlineReady = 'true';
      });
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (hadController && !reloading) {
      reloading = true;
      location.reload();
    }
  });
}
