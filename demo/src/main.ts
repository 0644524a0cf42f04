/** Starts the demo: settings, the memory (unlocked when encrypted), the responder, the app. */
import './style.css';
import { MemoryError, type Memory } from '../../src/index.js';
import { App } from './app.js';
import { Controls, followOtherTabs } from './controls.js';
import { $ } from './dom.js';
import { deleteMemoryDatabase, openMemory } from './engine.js';
import { createResponder } from './responder-choice.js';
import { loadSettings, saveSettings } from './settings.js';
import { unlockDialog } from './ui/dialogs.js';

async function open(): Promise<{ memory: Memory; passphrase?: string }> {
  const settings = loadSettings();
  const onProgress = (event: { kind: string; progress?: number }) => {
    if (event.progress !== undefined)
      $('#gpu-badge').textContent = `Loading memory… ${Math.round(event.progress * 100)}%`;
  };
  if (settings.encryptionSalt === null)
    return { memory: await openMemory({ embedder: settings.embedder, onProgress }) };
  let opened: { memory: Memory; passphrase?: string } | undefined;
  await unlockDialog(
    async (passphrase) => {
      try {
        const memory = await openMemory({
          embedder: settings.embedder,
          passphrase,
          salt: settings.encryptionSalt,
          onProgress,
        });
        opened = { memory, passphrase };
        return null;
      } catch (error) {
        if (error instanceof MemoryError && error.code === 'DECRYPT_FAILED')
          return 'That passphrase does not open this memory.';
        return error instanceof Error ? error.message : String(error);
      }
    },
    async () => {
      await deleteMemoryDatabase();
      saveSettings({ ...settings, encryptionSalt: null, current: null });
    },
  );
  return opened ?? { memory: await openMemory({ embedder: loadSettings().embedder, onProgress }) };
}

async function main() {
  const { memory, passphrase } = await open();
  const settings = loadSettings();
  const app = new App(memory, settings, createResponder(settings), async () => {
    if (!app.loaded.has(app.responder)) await controls.loadResponder();
  });
  const controls = new Controls(app, passphrase);
  followOtherTabs(
    () => app.memory,
    () => app.notice('Another tab is changing the memory; this tab reloads when it is done.', 0),
  );
  await app.start();
  // Offline replies need no loading: say so at once.
  if (settings.responder === 'offline') {
    await app.responder.load(() => undefined);
    app.loaded.add(app.responder);
  }
  Object.assign(window, { memkeeperDemo: app });
}

main().catch((error: unknown) => {
  $('#app').dataset.state = 'error';
  $('#gpu-badge').textContent = 'Failed to start';
  const notice = $('#notice');
  notice.hidden = false;
  notice.textContent = `memkeeper could not start: ${error instanceof Error ? error.message : String(error)}`;
});
