import type { LiveState } from '../../api/live.js';
import { t } from '../../i18n/i18n.js';
import { h, replace } from './dom.js';

/** Whether live updates arrive: a text (and a class for its colour), announced politely. */
export function liveIndicator(): { element: HTMLElement; update: (state: LiveState) => void } {
  const element = h('p', {
    class: 'live live-connecting',
    testid: 'live-indicator',
    attrs: { role: 'status' },
  });
  const update = (state: LiveState) => {
    element.className = `live live-${state.kind}`;
    element.dataset.state = state.kind;
    const text =
      state.kind === 'refused'
        ? t('live.refused', { status: state.status })
        : t(
            state.kind === 'live'
              ? 'live.live'
              : state.kind === 'connecting'
                ? 'live.connecting'
                : 'live.reconnecting',
          );
    replace(element, h('span', { class: 'live-dot', attrs: { 'aria-hidden': 'true' } }), ' ', text);
  };
  update({ kind: 'connecting' });
  return { element, update };
}
