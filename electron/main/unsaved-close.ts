import type { BrowserWindow, Dialog, Event } from 'electron';

/** The question asked when the window is closed with unsaved edits: both languages, the safe choice first. */
export const unsavedCloseQuestion = {
  buttons: ['留在本页 Stay', '放弃改动并关闭 Discard and close'],
  message: '有未保存的改动。关闭后这些改动会丢失。\nThere are unsaved changes. Closing loses them.',
} as const;

/**
 * The renderer cancels `beforeunload` while an area holds unsaved edits; Electron then emits
 * `will-prevent-unload` and, unless asked here, silently keeps the window open. Ask the clerk.
 */
export function guardUnsavedClose(win: Pick<BrowserWindow, 'webContents'>, dialog: Pick<Dialog, 'showMessageBoxSync'>): void {
  win.webContents.on('will-prevent-unload', (event: Event) => {
    const choice = dialog.showMessageBoxSync(win as BrowserWindow, { type: 'question', buttons: [...unsavedCloseQuestion.buttons], defaultId: 0, cancelId: 0, message: unsavedCloseQuestion.message, noLink: true });
    // preventDefault on this event lets the unload go ahead (Electron's inverted sense).
    if (choice === 1) event.preventDefault();
  });
}
