/**
 * Moves focus to the result of a background action once React has painted it, and scrolls it into
 * view: the eye and the keyboard land on what just happened, never on the page body.
 */
export function focusWhenPainted(target: () => HTMLElement | null | undefined): void {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const element = target();
      if (!element) return;
      if (!element.hasAttribute('tabindex') && !/^(BUTTON|INPUT|SELECT|TEXTAREA|A)$/.test(element.tagName)) element.setAttribute('tabindex', '-1');
      element.focus({ preventScroll: true });
      element.scrollIntoView({ block: 'nearest' });
    }),
  );
}
