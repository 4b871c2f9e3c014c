/** One serial of a transfer, with its item. */
export interface SerialEntry {
  readonly item_code: string;
  readonly serial: string;
}

/** A page of a manifest's serials (item by item, in the request's order). */
export interface SerialSlice {
  readonly total: number;
  readonly serials: SerialEntry[];
  /** Where the next page starts; undefined on the last page. */
  readonly nextOffset: number | undefined;
}

/** What paging needs of a manifest (a TransferRequest fits). */
export interface ManifestItems {
  readonly items: readonly { readonly item_code: string; readonly serials: readonly string[] }[];
}

/** The serials from `offset`, at most `limit`, without copying the whole manifest. */
export function serialSlice(manifest: ManifestItems, offset: number, limit: number): SerialSlice {
  let total = 0;
  for (const item of manifest.items) total += item.serials.length;
  const serials: SerialEntry[] = [];
  let skip = offset;
  for (const item of manifest.items) {
    if (serials.length >= limit) break;
    if (skip >= item.serials.length) {
      skip -= item.serials.length;
      continue;
    }
    for (const serial of item.serials.slice(skip, skip + (limit - serials.length))) {
      serials.push({ item_code: item.item_code, serial });
    }
    skip = 0;
  }
  const end = offset + serials.length;
  return { total, serials, nextOffset: end < total ? end : undefined };
}

/**
 * The serials that contain `text` (case-insensitive), paged like serialSlice over the matches
 * only: from the `offset`-th match, at most `limit`; `total` is the number of matches.
 */
export function serialMatches(
  manifest: ManifestItems,
  text: string,
  offset: number,
  limit: number,
): SerialSlice {
  const wanted = text.toLowerCase();
  const serials: SerialEntry[] = [];
  let total = 0;
  for (const item of manifest.items) {
    for (const serial of item.serials) {
      if (!serial.toLowerCase().includes(wanted)) continue;
      if (total >= offset && serials.length < limit) serials.push({ item_code: item.item_code, serial });
      total++;
    }
  }
  const end = offset + serials.length;
  return { total, serials, nextOffset: end < total ? end : undefined };
}
