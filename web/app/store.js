// What the app keeps on the device: one child's answers in progress and
// their unsent submission, never more. `clear()` leaves nothing behind.
const KEY = 'langnghe.app';

function available() {
  try {
    localStorage.setItem(KEY + '.probe', '1');
    localStorage.removeItem(KEY + '.probe');
    return true;
  } catch {
    return false;
  }
}

export const canKeep = available();
let memory = null;

export function load() {
  if (!canKeep) return memory;
  try {
    return JSON.parse(localStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

export function save(state) {
  memory = state;
  if (canKeep) localStorage.setItem(KEY, JSON.stringify(state));
}

export async function clear() {
  memory = null;
  if (canKeep) localStorage.clear();
  try { sessionStorage.clear(); } catch { /* not available */ }
  if (self.caches) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
  history.replaceState(null, '', '/app/');
}
