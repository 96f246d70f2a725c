/*
 * The terminal edge of `taskscope top`: the alternate screen, a hidden cursor, raw-mode keys
 * and redraws in place. Everything it changes is undone by one idempotent `restore`, armed
 * before the first byte is drawn and run on every way out: q, Ctrl-C, a signal, an error, a
 * crash (through `exit`), so a shell never gets back a terminal without a cursor or in raw mode.
 */

/** What the screen needs of stdout: process.stdout on a terminal (tests pass a fake). */
export interface ScreenOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  write(text: string): unknown;
  on(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/** What the screen needs of stdin: process.stdin (raw mode only when it is a terminal). */
export interface ScreenInput {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
}

export interface ScreenStreams {
  readonly output: ScreenOutput;
  readonly input: ScreenInput;
}

/** The control sequences top writes; the tests look for them in the raw bytes. */
export const CSI = {
  enterAlternateScreen: '\x1b[?1049h',
  leaveAlternateScreen: '\x1b[?1049l',
  hideCursor: '\x1b[?25l',
  showCursor: '\x1b[?25h',
  home: '\x1b[H',
  clearToLineEnd: '\x1b[K',
  clearToScreenEnd: '\x1b[J',
  resetStyle: '\x1b[0m',
} as const;

export interface LiveScreen {
  /** The terminal's size now (80×24 when it does not say). */
  size(): { readonly widthColumns: number; readonly heightRows: number };
  /** Replaces the screen's content with `lines` (each must fit the width); a no-op once restored. */
  draw(lines: readonly string[]): void;
  /** Leaves the alternate screen, shows the cursor, turns raw mode off. Idempotent. */
  restore(): void;
}

export interface LiveScreenOptions {
  /** Each key pressed (one character; raw mode delivers Ctrl-C as `\x03`). */
  readonly onKey: (key: string) => void;
  /** The terminal was resized (SIGWINCH). */
  readonly onResize: () => void;
}

/**
 * Takes over the terminal: arms the restore (on process `exit` too), enters the alternate
 * screen, hides the cursor and, when stdin is a terminal, reads keys in raw mode.
 */
export function openLiveScreen(streams: ScreenStreams, options: LiveScreenOptions): LiveScreen {
  const { output, input } = streams;
  let restored = false;
  const onData = (chunk: Buffer | string) => {
    for (const key of typeof chunk === 'string' ? chunk : chunk.toString('latin1')) options.onKey(key);
  };
  const onResize = () => options.onResize();
  const rawMode = input.isTTY === true && typeof input.setRawMode === 'function';

  const restore = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    output.off('resize', onResize);
    input.off('data', onData);
    // Each step on its own: a terminal that went away (SIGHUP) must not stop the others.
    attempt(() => rawMode && input.setRawMode?.(false));
    attempt(() => input.pause());
    // Visibility is the terminal's, not the screen's: shown last, after leaving the alternate screen.
    attempt(() => output.write(`${CSI.resetStyle}${CSI.leaveAlternateScreen}${CSI.showCursor}`));
  };
  // Armed before anything is drawn. A TTY write is synchronous, so it still lands at `exit`.
  process.on('exit', restore);
  output.write(`${CSI.enterAlternateScreen}${CSI.hideCursor}${CSI.home}${CSI.clearToScreenEnd}`);
  output.on('resize', onResize);
  if (rawMode) input.setRawMode?.(true);
  input.on('data', onData);
  input.resume();

  return {
    size: () => ({ widthColumns: output.columns || 80, heightRows: output.rows || 24 }),
    draw: (lines) => {
      if (restored) return;
      // Home, each line cleared to its end, the rest of the screen cleared: no flicker and no
      // remnant of a longer line or a taller frame. No newline after the last line, so the
      // bottom row never scrolls the screen.
      output.write(
        `${CSI.hideCursor}${CSI.home}${lines.map((line) => `${line}${CSI.clearToLineEnd}`).join('\r\n')}${CSI.clearToScreenEnd}`,
      );
    },
    restore,
  };
}

function attempt(step: () => unknown): void {
  try {
    step();
  } catch {
    // The terminal is gone; nothing left to restore on it.
  }
}
