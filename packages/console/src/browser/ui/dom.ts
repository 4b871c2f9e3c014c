/**
 * Building DOM nodes: the console never parses HTML (no innerHTML): text goes in as text nodes,
 * attributes one by one.
 */

export type Child = Node | string | number | null | undefined | false;
export type Children = readonly (Child | readonly Child[])[];

export interface Props {
  readonly class?: string;
  /** `data-testid`, the stable hook of browser tests (README.md lists them). */
  readonly testid?: string;
  readonly attrs?: Readonly<Record<string, string | boolean | undefined>>;
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Children
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class !== undefined) element.className = props.class;
  if (props.testid !== undefined) element.dataset.testid = props.testid;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const [name, listener] of Object.entries(props.on ?? {})) {
    element.addEventListener(name, listener as EventListener);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Children): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: Children): void {
  while (parent.firstChild !== null) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

let ids = 0;
/** A fresh id for label/control and aria pairs. */
export function uid(prefix: string): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled control: `<div class="field"><label for>…</label>control hint</div>`. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLDivElement {
  if (control.id === '') control.id = uid('field');
  const hintNode =
    hint === undefined ? undefined : h('p', { class: 'hint', attrs: { id: uid('hint') } }, hint);
  if (hintNode !== undefined) control.setAttribute('aria-describedby', hintNode.id);
  return h('div', { class: 'field' }, h('label', { attrs: { for: control.id } }, label), control, hintNode);
}

/** A `<dl>` of term/value pairs. */
export function definitions(
  pairs: readonly (readonly [string, Child | readonly Child[]])[],
): HTMLDListElement {
  return h(
    'dl',
    { class: 'definitions' },
    pairs.map(([term, value]) =>
      h('div', {}, h('dt', {}, term), h('dd', {}, ...(Array.isArray(value) ? value : [value]))),
    ),
  );
}

/**
 * Keeps the keyboard focus across a re-render of `region`: if the focus is inside it, `restore()`
 * (after the re-render) focuses the element of the document that now has the same `data-testid`,
 * `href`, or text, else `fallback` (e.g. the page's heading). Live updates must not throw a
 * keyboard user back to the top of the page.
 */
export function keepFocus(region: Element, fallback?: () => HTMLElement | null): { restore: () => void } {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !region.contains(active) || active === document.body) {
    return { restore: () => undefined };
  }
  const testid = active.dataset.testid;
  const href = active.getAttribute('href');
  const text = active.textContent;
  const tag = active.tagName;
  return {
    restore: () => {
      if (document.activeElement instanceof HTMLElement && document.activeElement !== document.body) return;
      const candidates = [...document.querySelectorAll<HTMLElement>(tag)];
      const byTestid =
        testid === undefined ? undefined : candidates.find((element) => element.dataset.testid === testid);
      const byHref =
        href === null ? undefined : candidates.find((element) => element.getAttribute('href') === href);
      const same = byTestid ?? byHref ?? candidates.find((element) => element.textContent === text);
      (same ?? fallback?.() ?? undefined)?.focus();
    },
  };
}
