/**
 * The browser's globals that the browser tests' page functions (`page.evaluate`) use, typed for a
 * test build without the DOM library: a page function takes them from `globalThis`
 * (`const { document } = globalThis as unknown as PageGlobals`; it runs in the page, where they
 * exist, and is sent as text, so it cannot call an imported function). Only what is used.
 */

export interface PageStyle {
  readonly outlineStyle: string;
  readonly outlineWidth: string;
  readonly boxShadow: string;
  readonly visibility: string;
  readonly whiteSpace: string;
  getPropertyValue(name: string): string;
}

export interface PageElement {
  readonly tagName: string;
  /** A field's value (input, textarea). */
  readonly value?: string;
  readonly textContent: string | null;
  readonly childElementCount: number;
  readonly dataset: Readonly<Record<string, string | undefined>>;
  readonly childNodes: Iterable<{ readonly nodeType: number; readonly textContent: string | null }>;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  matches(selector: string): boolean;
  getBoundingClientRect(): {
    readonly left: number;
    readonly right: number;
    readonly width: number;
    readonly height: number;
  };
}

export interface PageStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}

export interface PageGlobals {
  readonly document: {
    readonly activeElement: PageElement | null;
    readonly body: PageElement;
    readonly cookie: string;
    readonly documentElement: PageElement & {
      readonly lang: string;
      readonly scrollWidth: number;
      readonly clientWidth: number;
    };
    querySelectorAll(selector: string): Iterable<PageElement>;
    querySelector(selector: string): (PageElement & { append(child: PageElement): void }) | null;
    createElement(
      tag: string,
    ): PageElement & { setAttribute(name: string, value: string): void; readonly style: { width: string } };
  };
  readonly location: { readonly href: string };
  readonly history: { readonly length: number };
  readonly localStorage: PageStorage;
  readonly sessionStorage: PageStorage;
  readonly indexedDB: { databases(): Promise<Array<{ readonly name?: string }>> };
  getComputedStyle(element: PageElement): PageStyle;
}
