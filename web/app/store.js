// What the app keeps on the device: one child's answers in progress and
// their unsent submission, never more; and, only when a child on their own
// phone asks for it, who they are for next time (the participant token and
// their receipts). `clear()` leaves nothing of the child behind, that
// included; only the app's own files stay cached.
const KEY = 'langnghe.app';
const ME = 'langnghe.me';
// The service worker's cache of the app's own files (sw.js).
const SHELL = 'langnghe-shell-';

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

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

export function load() {
  if (!canKeep) return memory;
  return read(KEY);
}

export function save(state) {
  memory = state;
  if (canKeep) localStorage.setItem(KEY, JSON.stringify(state));
}

// The remembered child: `{participant, receipts: [{code, kind}], seen}`,
// or null. Only ever written after the child chose "remember me".
export function loadMe() {
  return canKeep ? read(ME) : null;
}

export function saveMe(me) {
  if (canKeep) localStorage.setItem(ME, JSON.stringify(me));
}

export function forgetMe() {
  if (canKeep) localStorage.removeItem(ME);
}

export async function clear() {
  memory = null;
  if (canKeep) localStorage.clear();
  try { sessionStorage.clear(); } catch { /* not available */ }
  // The app shell's cache stays (its own files, never a child's: see
  // sw.js), so that the app still opens without a connection; any other
  // cache goes.
  if (self.caches) {
    for (const name of await caches.keys()) if (!name.startsWith(SHELL)) await caches.delete(name);
  }
  history.replaceState(null, '', '/app/');
}
