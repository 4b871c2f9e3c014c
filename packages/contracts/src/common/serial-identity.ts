/**
 * The identity ERPNext's database gives a name. Frappe creates MariaDB tables with the
 * utf8mb4_unicode_ci collation, so names (Serial No, Item...) compare case-insensitively and
 * accent-insensitively: "sn-1" and "SN-1" are the same Serial No, and so are "PIN-É" and "pin-e".
 * Two strings with the same key collide in ERPNext.
 */
export function nameKey(name: string): string {
  // Fast path: printable ASCII only needs case folding.
  if (/^[\x20-\x7e]*$/.test(name)) return name.toLowerCase();
  // Decompose, drop combining marks (accents), then fold case; toUpperCase first so that
  // expansions such as "ß" -> "SS" compare like the collation does.
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .toLowerCase();
}
