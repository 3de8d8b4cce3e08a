/** What a command does on Ctrl-C: `first` once; a second Ctrl-C quits at once. */
export type Interrupt = { readonly requested: () => boolean; readonly dispose: () => void };

/** 128 + SIGINT: how a shell tells that a command was interrupted. */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Catches Ctrl-C (SIGINT) while a command runs: the first one calls `first` (stop cleanly, say how far
 * it got), a second one exits at once.
 */
export const catchInterrupt = (first: () => void): Interrupt => {
  let requested = false;
  const onSignal = () => {
    if (requested) process.exit(INTERRUPTED_EXIT_CODE);
    requested = true;
    first();
  };
  process.on('SIGINT', onSignal);
  return { requested: () => requested, dispose: () => process.off('SIGINT', onSignal) };
};
