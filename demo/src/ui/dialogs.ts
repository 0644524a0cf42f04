/** Small modal questions: confirm a destructive step, ask for the passphrase. */
import { $, fill, h } from '../dom.js';

/** Resolves true when the person confirms. Escape or Cancel resolves false. */
export function confirmDialog(title: string, text: string, action: string): Promise<boolean> {
  const dialog = $<HTMLDialogElement>('#confirm');
  return new Promise((resolve) => {
    const finish = (answer: boolean) => {
      dialog.close();
      resolve(answer);
    };
    fill(
      dialog,
      h(
        'div',
        { class: 'dialog-body' },
        h('h2', { id: 'confirm-title', style: 'margin: 0; font-size: 1.05rem' }, title),
        h('p', { class: 'panel-note', style: 'font-size: 0.9rem' }, text),
        h(
          'div',
          { class: 'row', style: 'justify-content: flex-end' },
          h(
            'button',
            {
              class: 'secondary',
              type: 'button',
              id: 'confirm-cancel',
              onclick: () => finish(false),
            },
            'Cancel',
          ),
          h(
            'button',
            { class: 'danger', type: 'button', id: 'confirm-ok', onclick: () => finish(true) },
            action,
          ),
        ),
      ),
    );
    dialog.oncancel = (event) => {
      event.preventDefault();
      finish(false);
    };
    dialog.showModal();
    $<HTMLButtonElement>('#confirm-cancel').focus();
  });
}

/**
 * Asks for the passphrase until `tryOpen` accepts it; `tryOpen` returns an error message to
 * show, or null when the memory opened. "Clear all" is offered for a lost passphrase.
 */
export function unlockDialog(
  tryOpen: (passphrase: string) => Promise<string | null>,
  clearAll: () => Promise<void>,
): Promise<void> {
  const dialog = $<HTMLDialogElement>('#unlock');
  return new Promise((resolve) => {
    const input = h('input', {
      id: 'unlock-passphrase',
      type: 'password',
      autocomplete: 'current-password',
      'aria-label': 'Passphrase',
    });
    const error = h('p', {
      class: 'error-text',
      role: 'alert',
      dataset: { testid: 'unlock-error' },
    });
    const submit = h('button', { class: 'primary', type: 'submit', id: 'unlock-submit' }, 'Unlock');
    const form = h(
      'form',
      {
        class: 'dialog-body',
        onsubmit: async (event: SubmitEvent) => {
          event.preventDefault();
          submit.disabled = true;
          error.textContent = '';
          const problem = await tryOpen(input.value);
          submit.disabled = false;
          if (problem === null) {
            dialog.close();
            resolve();
          } else {
            error.textContent = problem;
            input.select();
          }
        },
      },
      h('h2', { id: 'unlock-title', style: 'margin: 0; font-size: 1.05rem' }, 'Unlock your memory'),
      h(
        'p',
        { class: 'panel-note', style: 'font-size: 0.9rem' },
        'Your memory is encrypted on this device. Enter the passphrase to open it.',
      ),
      input,
      error,
      h(
        'div',
        { class: 'row', style: 'justify-content: space-between' },
        h(
          'button',
          {
            class: 'danger',
            type: 'button',
            onclick: async () => {
              dialog.close();
              await clearAll();
              resolve();
            },
          },
          'Forgot it — clear all',
        ),
        submit,
      ),
    );
    fill(dialog, form);
    dialog.oncancel = (event) => event.preventDefault(); // nothing works until it is open
    dialog.showModal();
    input.focus();
  });
}
