// expect: vulnerable tls_verification_disabled CWE-295
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

export async function fetchInventory() {
  const res = await fetch('https://inventory.internal/api/items');
  return res.json();
}
