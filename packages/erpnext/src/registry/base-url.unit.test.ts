import { describe, expect, it } from 'vitest';
import { normalizeBaseUrl } from './base-url.js';

describe('normalizeBaseUrl', () => {
  it.each([
    ['https://erp.example.com', 'https://erp.example.com'],
    ['http://127.0.0.1:8000/', 'http://127.0.0.1:8000'],
    ['  https://erp.example.com/erp/ ', 'https://erp.example.com/erp'],
  ])('accepts %s', (input, normalized) => {
    expect(normalizeBaseUrl(input)).toBe(normalized);
  });

  it.each([
    ['erp.example.com', 'base_url is not a valid URL'],
    ['ftp://erp.example.com', 'base_url must be http or https, not ftp'],
    ['javascript:alert(1)', 'base_url must be http or https'],
    ['https://admin:hunter2@erp.example.com', 'base_url must not carry credentials'],
    ['https://erp.example.com/?token=x', 'base_url must not have a query or a fragment'],
  ])('refuses %s', (input, message) => {
    expect(() => normalizeBaseUrl(input)).toThrow(message);
    try {
      normalizeBaseUrl(input);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
