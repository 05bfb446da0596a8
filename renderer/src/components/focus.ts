/** How long a result may take to appear: on a busy PC React can paint it many frames after the answer came. */
const appearLimitMs = 10_000;

/**
 * Moves focus to the result of a background action once React has painted it, and scrolls it into
 * view: the eye and the keyboard land on what just happened, never on the page body.
 */
export function focusWhenPainted(target: () => HTMLElement | null | undefined): void {
  const giveUpAt = performance.now() + appearLimitMs;
  const focusedAtCall = document.activeElement;
  let late = false;
  // An update made after an await renders in a later scheduler task, which a loaded CPU can run frames
  // after this call: look again each frame until the result is there, not just once.
  const attempt = () => {
    const element = target();
    if (!element) {
      late = true;
      if (performance.now() < giveUpAt) requestAnimationFrame(attempt);
      return;
    }
    // A result that came late must not take focus from where the clerk has gone meanwhile.
    const moved = document.activeElement !== focusedAtCall && document.activeElement !== document.body && document.activeElement !== null;
    if (late && moved) return;
    if (!element.hasAttribute('tabindex') && !/^(BUTTON|INPUT|SELECT|TEXTAREA|A)$/.test(element.tagName)) element.setAttribute('tabindex', '-1');
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: 'nearest' });
  };
  requestAnimationFrame(() => requestAnimationFrame(attempt));
}
