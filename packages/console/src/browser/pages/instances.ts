import type { InstanceSummary, InstanceTestResult, PreflightReport, PrepareResult } from '../../api/types.js';
import {
  type InstanceFields,
  instanceBody,
  preflightBody,
  SAMPLE_PREFLIGHT_REQUEST,
} from '../../core/instance-form.js';
import { type MessageKey, t } from '../../i18n/i18n.js';
import { forgetInstanceLinks, type Session } from '../session.js';
import { dateTime, errorMessage, loading } from '../ui/common.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { field, h, replace } from '../ui/dom.js';

/**
 * #/instances (admin): the registered ERPNext instances; add and edit (credentials are
 * write-only: never shown, an empty field on edit keeps the stored one); test the connection;
 * prepare (the marker field, after a confirmation); the preflight of a pair with every problem
 * listed. A new base URL needs both credentials typed again (intake refuses it otherwise).
 */

const FIELD_LABELS: Readonly<Record<keyof InstanceFields, MessageKey>> = {
  id: 'instances.form.id',
  name: 'instances.form.name',
  base_url: 'instances.form.base_url',
  api_key: 'instances.form.api_key',
  api_secret: 'instances.form.api_secret',
  worker_timeout_ms: 'instances.form.worker_timeout_ms',
  write_timeout_ms: 'instances.form.write_timeout_ms',
  read_timeout_ms: 'instances.form.read_timeout_ms',
  max_in_flight: 'instances.form.max_in_flight',
};

export function renderInstances(main: HTMLElement, session: Session): () => void {
  const { client } = session;
  const controller = new AbortController();
  const signal = controller.signal;
  const listRegion = h('div', {}, loading());
  const outcome = h('div', {
    class: 'instance-outcome',
    testid: 'instance-outcome',
    attrs: { 'aria-live': 'polite' },
  });
  const formRegion = h('section', { attrs: { 'aria-labelledby': 'instance-form-title' } });
  const preflightRegion = h('section', { attrs: { 'aria-labelledby': 'preflight-title' } });
  let instances: readonly InstanceSummary[] = [];

  const addButton = h(
    'button',
    { class: 'button primary', attrs: { type: 'button' }, on: { click: () => showForm(undefined) } },
    t('instances.add'),
  );
  replace(
    main,
    h('div', { class: 'page-title' }, h('h1', {}, t('instances.title')), addButton),
    outcome,
    listRegion,
    formRegion,
    preflightRegion,
  );

  const say = (node: Node) => replace(outcome, node);

  const load = async () => {
    const list = await client.request<{ instances: InstanceSummary[] }>('intake', '/v1/admin/instances', {
      signal,
    });
    if (signal.aborted) return;
    if (!list.ok) {
      replace(listRegion, errorMessage(list.failure));
      return;
    }
    instances = list.value.instances;
    replace(listRegion, instancesTable(instances));
    replace(preflightRegion, preflightForm());
  };

  const instancesTable = (items: readonly InstanceSummary[]) => {
    if (items.length === 0) return h('p', { class: 'empty', testid: 'instances-table' }, t('instances.none'));
    const th = (key: MessageKey) => h('th', { attrs: { scope: 'col' } }, t(key));
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { testid: 'instances-table' },
        h('caption', { class: 'visually-hidden' }, t('instances.table_caption')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            th('instances.col.id'),
            th('instances.col.name'),
            th('instances.col.base_url'),
            th('instances.col.key_hint'),
            th('instances.col.updated'),
            th('instances.col.actions'),
          ),
        ),
        h(
          'tbody',
          {},
          items.map((instance) =>
            h(
              'tr',
              { attrs: { 'data-instance-id': instance.id } },
              h('td', { class: 'mono' }, instance.id),
              h('td', {}, instance.name),
              h('td', { class: 'mono wrap' }, instance.base_url),
              h('td', { class: 'mono' }, instance.api_key_hint === '' ? '—' : `…${instance.api_key_hint}`),
              h('td', {}, dateTime(instance.updated_at)),
              h(
                'td',
                {},
                h(
                  'div',
                  { class: 'row-actions' },
                  rowButton(t('instances.edit_button'), t('instances.edit', { id: instance.id }), () =>
                    showForm(instance),
                  ),
                  rowButton(
                    t('instances.test_button'),
                    `${t('instances.test_button')} ${instance.id}`,
                    (button) => void test(instance.id, button),
                  ),
                  rowButton(
                    t('instances.prepare_button'),
                    `${t('instances.prepare_button')} ${instance.id}`,
                    (button) => prepare(instance, button),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };

  const rowButton = (text: string, label: string, onClick: (button: HTMLButtonElement) => void) => {
    const button = h(
      'button',
      { class: 'button small', attrs: { type: 'button', 'aria-label': label } },
      text,
    );
    button.addEventListener('click', () => onClick(button));
    return button;
  };

  const busy = async <T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> => {
    button.disabled = true;
    say(h('p', { attrs: { role: 'status' } }, t('instances.working')));
    try {
      return await work();
    } finally {
      button.disabled = false;
    }
  };

  const test = async (id: string, button: HTMLButtonElement) => {
    const result = await busy(button, () =>
      client.request<InstanceTestResult>('intake', `/v1/admin/instances/${encodeURIComponent(id)}/test`, {
        method: 'POST',
        signal,
      }),
    );
    if (signal.aborted) return;
    if (!result.ok) return say(errorMessage(result.failure));
    const answer = result.value;
    say(
      answer.ok
        ? h(
            'p',
            { class: 'message success', attrs: { role: 'status' } },
            t('instances.test_ok', { id, user: answer.user }),
          )
        : errorMessage(t('instances.test_failed', { id, error: answer.error })),
    );
  };

  /** Prepare, after a confirmation that says what it creates in ERPNext, and where. */
  const prepare = (instance: InstanceSummary, button: HTMLButtonElement) =>
    confirmDialog(button, {
      title: t('confirm.prepare.title', { id: instance.id }),
      body: [
        h(
          'p',
          {},
          t('confirm.prepare.where', { id: instance.id, name: instance.name, url: instance.base_url }),
        ),
        h('p', {}, t('confirm.prepare.what')),
        h('p', {}, t('confirm.prepare.safe')),
      ],
      askReason: false,
      run: async () => {
        const result = await client.request<PrepareResult>(
          'intake',
          `/v1/admin/instances/${encodeURIComponent(instance.id)}/prepare`,
          { method: 'POST', body: {}, signal },
        );
        if (result.ok && !signal.aborted) showPrepared(instance.id, result.value);
        return result;
      },
      done: (answer) =>
        t(answer.prepared ? 'instances.prepared' : 'instances.not_prepared', { id: instance.id }),
    });

  const showPrepared = (id: string, answer: PrepareResult) =>
    say(
      h(
        'div',
        {
          class: `message ${answer.prepared ? 'success' : 'error'}`,
          attrs: { role: answer.prepared ? 'status' : 'alert' },
        },
        h('p', {}, t(answer.prepared ? 'instances.prepared' : 'instances.not_prepared', { id })),
        h(
          'ul',
          {},
          answer.summary.map((line) => h('li', {}, line)),
        ),
      ),
    );

  const showForm = (instance: InstanceSummary | undefined) => {
    const mode = instance === undefined ? 'add' : 'edit';
    const inputs = {} as Record<keyof InstanceFields, HTMLInputElement>;
    const number = (value: number | undefined) => (value === undefined ? '' : String(value));
    const initial: InstanceFields = {
      id: instance?.id ?? '',
      name: instance?.name ?? '',
      base_url: instance?.base_url ?? '',
      // Credentials are never known to the page: always empty.
      api_key: '',
      api_secret: '',
      worker_timeout_ms: number(instance?.worker_timeout_ms),
      write_timeout_ms: number(instance?.write_timeout_ms),
      read_timeout_ms: number(instance?.read_timeout_ms),
      max_in_flight: number(instance?.max_in_flight),
    };
    const fields = (Object.keys(FIELD_LABELS) as (keyof InstanceFields)[]).map((key) => {
      const secret = key === 'api_key' || key === 'api_secret';
      // The credentials: plain inputs masked by CSS (no password field anywhere in this form,
      // whose submission is always prevented), so the browser never offers to save them.
      const input = h('input', {
        ...(secret ? { class: 'secret-input' } : {}),
        attrs: {
          name: key,
          type: key === 'base_url' ? 'url' : 'text',
          inputmode: key.endsWith('_ms') || key === 'max_in_flight' ? 'numeric' : undefined,
          autocomplete: 'off',
          spellcheck: secret ? 'false' : undefined,
          'data-1p-ignore': secret,
          'data-lpignore': secret ? 'true' : undefined,
          value: initial[key],
          readonly: key === 'id' && mode === 'edit',
          required: mode === 'add' && !key.endsWith('_ms') && key !== 'max_in_flight',
        },
      });
      inputs[key] = input;
      return field(
        t(FIELD_LABELS[key]),
        input,
        secret && mode === 'edit' ? t('instances.form.credential_keep_unless_url') : undefined,
      );
    });
    const problems = h('div', { attrs: { 'aria-live': 'polite' } });
    const save = h(
      'button',
      { class: 'button primary', attrs: { type: 'submit' } },
      t('instances.form.save'),
    );
    const discard = h(
      'button',
      { class: 'button', attrs: { type: 'button' }, on: { click: () => replace(formRegion) } },
      t('instances.form.cancel'),
    );
    const form = h(
      'form',
      { class: 'instance-form', testid: 'instance-form', attrs: { novalidate: true } },
      h(
        'h2',
        { attrs: { id: 'instance-form-title', tabindex: '-1' } },
        instance === undefined
          ? t('instances.form.add_title')
          : t('instances.form.edit_title', { id: instance.id }),
      ),
      h('div', { class: 'form-grid' }, fields),
      problems,
      h('div', { class: 'buttons' }, save, discard),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(
        Object.entries(inputs).map(([key, input]) => [key, input.value]),
      ) as unknown as InstanceFields;
      const built = instanceBody(values, mode, instance?.base_url);
      if (!built.ok) {
        replace(
          problems,
          errorMessage(
            built.problems
              .map((problem) =>
                t(`instances.problem.${problem.problem}`, {
                  field: t(FIELD_LABELS[problem.path as keyof InstanceFields]),
                }),
              )
              .join(' '),
          ),
        );
        return;
      }
      save.disabled = true;
      const result = await client.request<InstanceSummary>(
        'intake',
        instance === undefined
          ? '/v1/admin/instances'
          : `/v1/admin/instances/${encodeURIComponent(instance.id)}`,
        { method: instance === undefined ? 'POST' : 'PUT', body: built.body, signal },
      );
      save.disabled = false;
      // Whatever the answer (a timeout may still have saved it): the pages ask for the instances again.
      forgetInstanceLinks();
      if (signal.aborted) return;
      if (!result.ok) {
        replace(problems, errorMessage(result.failure));
        return;
      }
      // The typed credentials leave the page with the form.
      replace(formRegion);
      say(
        h(
          'p',
          { class: 'message success', attrs: { role: 'status' } },
          t('instances.form.saved', { id: result.value.id }),
        ),
      );
      await load();
    });
    replace(formRegion, form);
    (form.querySelector('h2') as HTMLElement).focus();
  };

  const preflightForm = () => {
    const choose = (name: string) =>
      h(
        'select',
        { attrs: { name } },
        h('option', { attrs: { value: '' } }, t('preflight.choose')),
        instances.map((instance) =>
          h('option', { attrs: { value: instance.id } }, `${instance.id} · ${instance.name}`),
        ),
      );
    const a = choose('instance_a');
    const b = choose('instance_b');
    const text = h('textarea', {
      class: 'mono',
      attrs: { name: 'request', rows: '10', spellcheck: 'false' },
    });
    text.value = SAMPLE_PREFLIGHT_REQUEST;
    const report = h('div', { testid: 'preflight-report', attrs: { 'aria-live': 'polite' } });
    const run = h('button', { class: 'button primary', attrs: { type: 'submit' } }, t('preflight.run'));
    const form = h(
      'form',
      { class: 'preflight', testid: 'preflight-form', attrs: { novalidate: true } },
      h('h2', { attrs: { id: 'preflight-title' } }, t('preflight.title')),
      h('p', { class: 'hint' }, t('preflight.intro')),
      h(
        'div',
        { class: 'form-grid' },
        field(t('preflight.instance_a'), a),
        field(t('preflight.instance_b'), b),
      ),
      field(t('preflight.request'), text),
      h('div', { class: 'buttons' }, run),
      report,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const built = preflightBody(a.value, b.value, text.value);
      if (!built.ok) {
        const message =
          built.problem === 'instances'
            ? t('preflight.need_instances')
            : built.problem === 'json'
              ? t('preflight.bad_json', { detail: built.detail ?? '' })
              : t('preflight.not_object');
        replace(report, errorMessage(message));
        return;
      }
      run.disabled = true;
      replace(report, h('p', { attrs: { role: 'status' } }, t('instances.working')));
      const result = await client.request<PreflightReport>('intake', '/v1/admin/preflight', {
        method: 'POST',
        body: built.body,
        signal,
      });
      run.disabled = false;
      if (signal.aborted) return;
      if (!result.ok) return replace(report, errorMessage(result.failure));
      replace(report, preflightReport(result.value));
    });
    return form;
  };

  void load();
  return () => controller.abort();
}

function preflightReport(report: PreflightReport): HTMLElement {
  const resolved = Object.entries(report.resolved)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} = ${value}`)
    .join(', ');
  return h(
    'div',
    { class: `message ${report.ok ? 'success' : 'error'}`, attrs: { role: report.ok ? 'status' : 'alert' } },
    h('p', {}, report.ok ? t('preflight.ok') : t('preflight.problems', { count: report.problems.length })),
    report.problems.length > 0 &&
      h(
        'ul',
        {},
        report.problems.map((problem) =>
          h(
            'li',
            {},
            t('preflight.problem', {
              instance: problem.instance.toUpperCase(),
              check: problem.check,
              path: problem.path === undefined ? '' : ` (${problem.path})`,
              message: problem.message,
            }),
          ),
        ),
      ),
    resolved !== '' && h('p', {}, t('preflight.resolved', { what: resolved })),
  );
}
