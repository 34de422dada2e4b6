// expect: safe tls_verification_disabled CWE-295
export async function fetchInventory() {
  const res = await fetch('https://inventory.internal/api/items');
  return res.json();
}
