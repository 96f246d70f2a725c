/*
 * Element building without HTML strings: the page never sets innerHTML, so no figure from
 * the agent is parsed as markup, and no `style` attribute exists for the CSP to refuse
 * (sizes that vary are set through CSSOM, element.style.width).
 */
import type { Level } from '../model.js';

type Child = Node | string | null | undefined | false;

export interface Props {
  readonly class?: string;
  readonly text?: string;
  /** Plain attributes (aria-*, data-*, role, type…); never `style`. */
  readonly attrs?: Readonly<Record<string, string>>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class !== undefined) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** Sets text only when it changed (no needless layout, no lost text selection). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/**
 * A `<dl>` of labelled values in the order of `labels`, and the `<dd>` of each key, whose
 * `data-field` is the key after `fieldPrefix` (the header's facts and the poll's rows alike).
 */
export function factList<K extends string>(
  className: string,
  labels: Readonly<Record<K, string>>,
  fieldPrefix = '',
): { readonly element: HTMLDListElement; readonly values: ReadonlyMap<K, HTMLElement> } {
  const element = h('dl', { class: className });
  const values = new Map<K, HTMLElement>();
  for (const [key, label] of Object.entries(labels) as [K, string][]) {
    const value = h('dd', { attrs: { 'data-field': `${fieldPrefix}${key}` } });
    values.set(key, value);
    element.append(h('div', { class: 'fact' }, h('dt', { text: label }), value));
  }
  return { element, values };
}

const LEVEL_CLASSES = ['lvl-ok', 'lvl-warn', 'lvl-bad', 'lvl-none'] as const;

/** Marks an element with one of the level classes (colour is in the stylesheet). */
export function setLevel(element: Element, level: Level): void {
  for (const name of LEVEL_CLASSES) element.classList.toggle(name, name === `lvl-${level}`);
}

/** A figure's text and level. */
export function setFigure(element: Element, figure: { readonly text: string; readonly level: Level }): void {
  setText(element, figure.text);
  setLevel(element, figure.level);
}

/** A horizontal bar filled to `percent` (clamped to 0–100; empty when not reported). */
export function bar(): { readonly element: HTMLElement; set(percent: number | null, level: Level): void } {
  const fill = h('span', { class: 'bar-fill' });
  const element = h('span', { class: 'bar', attrs: { 'aria-hidden': 'true' } }, fill);
  return {
    element,
    set(percent, level) {
      fill.style.width = `${percent === null ? 0 : Math.min(100, Math.max(0, percent))}%`;
      element.classList.toggle('bar-unknown', percent === null);
      setLevel(fill, level);
    },
  };
}
