import { describe, expect, it } from 'vitest';
import { doctypeSlug, documentUrl } from './doc-links.js';

describe('document links', () => {
  it('slug each doctype', () => {
    expect(doctypeSlug('Purchase Order')).toBe('purchase-order');
    expect(doctypeSlug('Purchase Receipt')).toBe('purchase-receipt');
    expect(doctypeSlug('Delivery Note')).toBe('delivery-note');
  });

  it('join the base URL (with or without path and trailing slash) and the encoded name', () => {
    expect(documentUrl('https://erp.example.com', 'Purchase Order', 'PUR-ORD-2026-00001')).toBe(
      'https://erp.example.com/app/purchase-order/PUR-ORD-2026-00001',
    );
    expect(documentUrl('http://127.0.0.1:8100/site/', 'Delivery Note', 'MAT DN/1?#&')).toBe(
      'http://127.0.0.1:8100/site/app/delivery-note/MAT%20DN%2F1%3F%23%26',
    );
  });

  it('make no link without a usable base URL', () => {
    expect(documentUrl(undefined, 'Purchase Receipt', 'X')).toBeUndefined();
    expect(documentUrl('javascript:alert(1)', 'Purchase Receipt', 'X')).toBeUndefined();
    expect(documentUrl('not a url', 'Purchase Receipt', 'X')).toBeUndefined();
    expect(documentUrl('https://user:pw@erp.example.com', 'Purchase Receipt', 'X')).toBeUndefined();
  });
});
