/**
 * The console's service worker and its updates. A new version of the console installs in the
 * background and then waits: without this it would take over only once every console tab is
 * closed, which a specialist on duty rarely does. When one waits, the console offers it
 * («Доступна новая версия консоли — обновить», see components/update-prompt.tsx); taking it posts
 * SKIP_WAITING to the waiting worker and reloads once the new worker controls the page.
 */
export class WorkerUpdate {
  /** A newer worker is installed and waiting, or (another tab took it) already controls this page. */
  available = false;
  #waiting: ServiceWorker | null = null;
  #applying = false;
  #reloading = false;
  readonly #listeners = new Set<() => void>();

  /** Calls `fn` whenever `available` changes; returns the unsubscribe. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Registers `/sw.js` and follows its updates (nothing where workers are unavailable). */
  async watch(container: ServiceWorkerContainer | undefined = navigator.serviceWorker): Promise<void> {
    if (!container) return;
    // Only a page already controlled has an "old" version to replace; the first install is not news.
    const hadController = container.controller !== null;
    container.addEventListener('controllerchange', () => {
      if (!hadController) return;
      if (this.#applying) this.#reload();
      // Another console tab took the update: this page runs the old code under the new worker.
      else this.#offer(null);
    });
    const reg = await container.register('/sw.js');
    // Undefined where registration is blocked (an enterprise policy, a test harness).
    if (!(reg as ServiceWorkerRegistration | undefined)) return;
    const track = (worker: ServiceWorker) => {
      const check = () => {
        if (worker.state === 'installed' && hadController) this.#offer(worker);
      };
      check();
      worker.addEventListener('statechange', check);
    };
    if (reg.waiting && hadController) this.#offer(reg.waiting);
    if (reg.installing) track(reg.installing);
    reg.addEventListener('updatefound', () => reg.installing && track(reg.installing));
  }

  /** Takes the update: the waiting worker activates, and the page reloads once it controls it. */
  apply(): void {
    if (!this.available) return;
    if (!this.#waiting) return this.#reload();
    this.#applying = true;
    this.#waiting.postMessage({ type: 'SKIP_WAITING' });
  }

  #offer(worker: ServiceWorker | null): void {
    this.#waiting = worker;
    this.available = true;
    for (const fn of this.#listeners) fn();
  }

  #reload(): void {
    if (this.#reloading) return;
    this.#reloading = true;
    location.reload();
  }
}

/** The console's one watcher (main.tsx starts it; the update prompt reads it). */
export const workerUpdate = new WorkerUpdate();
