export function show(main) { main.textContent = '…'; return null; }
